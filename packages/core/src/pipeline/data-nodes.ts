import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import { BaseOp } from '../ops/base-op.js'
import type { BaseSaver } from '../savers/base-saver.js'
import type { BaseSerializer } from '../serializers/base-serializer.js'
import { sha1Hex } from '../versioning/canonical-json.js'
import { Version } from '../versioning/version.js'
import { Node } from './node.js'

/** An op that reads or writes through the saver `pipeline.prepare(saver)` gave it. */
export interface SaverAwareOp {
  prepare(saver: BaseSaver): Promise<void>
}

/** Whether an op takes a saver from `pipeline.prepare`. */
export function isSaverAwareOp(op: unknown): op is SaverAwareOp {
  return typeof (op as SaverAwareOp | undefined)?.prepare === 'function'
}

abstract class DataOp extends BaseOp implements SaverAwareOp {
  protected saver: BaseSaver | undefined
  constructor(
    readonly serializer: BaseSerializer<any>,
    readonly path: string,
  ) {
    super()
  }

  get filePath(): string {
    return `/data/${this.path.replace(/^\/+/, '')}`
  }

  async prepare(saver: BaseSaver): Promise<void> {
    this.saver = saver
  }

  protected requireSaver(): BaseSaver {
    if (!this.saver) {
      throw new ChariotsError(
        ErrorCode.INVALID_GRAPH,
        `data node for '${this.path}' has no saver; call await pipeline.prepare(saver) before running it (the server does this)`,
      )
    }
    return this.saver
  }
}

class DataLoadingOp extends DataOp {
  static override opName = 'dataloadingop'
  private hash: string | null = null
  private version: Version | undefined

  override async prepare(saver: BaseSaver): Promise<void> {
    await super.prepare(saver)
    if (await saver.exists(this.filePath)) this.setHash(sha1Hex(await saver.load(this.filePath)))
  }

  async execute(): Promise<unknown> {
    const bytes = await this.requireSaver().load(this.filePath)
    this.setHash(sha1Hex(bytes))
    return this.serializer.deserialize(bytes)
  }

  /** Major: the hash of the file's bytes, as last read. */
  override get opVersion(): Version {
    if (!this.version) this.version = new Version({ major: this.hash ?? undefined })
    return this.version
  }

  private setHash(hash: string): void {
    if (hash !== this.hash) {
      this.hash = hash
      this.version = new Version({ major: hash })
    }
  }
}

class DataSavingOp extends DataOp {
  static override opName = 'datasavingop'

  async execute(value: unknown): Promise<void> {
    await this.requireSaver().save(this.serializer.serialize(value), this.filePath)
  }
}

/** Options of a {@link DataLoadingNode}. */
export interface DataLoadingNodeOptions {
  serializer: BaseSerializer<any>
  /** Path under the saver's `/data/`. */
  path: string
  outputNodes: string | readonly string[]
  name?: string
}

/** Options of a {@link DataSavingNode}. */
export interface DataSavingNodeOptions {
  serializer: BaseSerializer<any>
  /** Path under the saver's `/data/`. */
  path: string
  inputNodes: ReadonlyArray<string | Node>
  name?: string
}

/**
 * Reads `/data/<path>` through the pipeline's saver; its major version is the hash of the file's
 * bytes, so models trained on other data are told apart.
 *
 * @example
 * ```ts
 * new DataLoadingNode({ serializer: new CSVSerializer(), path: 'iris.csv', outputNodes: 'raw' })
 * ```
 */
export class DataLoadingNode extends Node {
  constructor(options: DataLoadingNodeOptions) {
    super(new DataLoadingOp(options.serializer, options.path), {
      outputNodes: options.outputNodes,
      name: options.name ?? `load_${slug(options.path)}`,
    })
  }
}

/**
 * Writes its input to `/data/<path>` through the pipeline's saver (atomically).
 *
 * @example
 * ```ts
 * new DataSavingNode({ serializer: new JSONSerializer(), path: 'out.json', inputNodes: ['__pipeline_input__'] })
 * ```
 */
export class DataSavingNode extends Node {
  constructor(options: DataSavingNodeOptions) {
    super(new DataSavingOp(options.serializer, options.path), {
      inputNodes: options.inputNodes,
      name: options.name ?? `save_${slug(options.path)}`,
    })
  }
}

function slug(path: string): string {
  return (
    path
      .replace(/^\/+/, '')
      .replace(/[^A-Za-z0-9_.-]+/g, '_')
      .slice(0, 150) || 'data'
  )
}
