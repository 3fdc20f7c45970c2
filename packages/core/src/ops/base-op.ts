import type { OpCallback } from '../callbacks/op-callback.js'
import type { Version } from '../versioning/version.js'
import { versionOf } from '../versioning/version-of.js'
import { type Progress, reportProgress } from './progress.js'

/** Options every op constructor takes. */
export interface BaseOpOptions {
  callbacks?: OpCallback[]
}

/**
 * The atomic unit of a pipeline. `execute` receives the node's inputs as positional arguments, in
 * the order of the node's `inputNodes`, and may be sync or async.
 *
 * @example
 * ```ts
 * class AddOneOp extends BaseOp {
 *   static override opName = 'addoneop'
 *   execute(x: number) { return x + 1 }
 * }
 * ```
 */
export abstract class BaseOp {
  /** The op's name; defaults to the class name in lower case (set it: bundlers rename classes). */
  static opName?: string
  /**
   * Set `true` when `execute` maps an array of rows to an array of as many results, each row on its
   * own (a predictor over rows): then concurrent calls of a pipeline with `batch` may be merged
   * into one run. The default is false: an op is not assumed to treat rows independently.
   */
  static rowWise?: boolean
  readonly callbacks: OpCallback[]

  constructor(options: BaseOpOptions = {}) {
    this.callbacks = options.callbacks ?? []
  }

  /** The op's work. */
  abstract execute(...args: any[]): unknown

  /** Called before `execute` (after the op callbacks' `beforeExecution`) with its arguments. */
  beforeExecution(_args: unknown[]): void | Promise<void> {}

  /** Called after `execute` (before the op callbacks' `afterExecution`) with its arguments and output. */
  afterExecution(_args: unknown[], _output: unknown): void | Promise<void> {}

  /** The static `opName`, else the class name in lower case. */
  get name(): string {
    const ctor = this.constructor as typeof BaseOp
    return Object.hasOwn(ctor, 'opName') && ctor.opName ? ctor.opName : ctor.name.toLowerCase()
  }

  /** Whether this op maps each input row to one result on its own (see the static `rowWise`). */
  get rowWise(): boolean {
    return (this.constructor as typeof BaseOp).rowWise === true
  }

  /** The version of the op's class. */
  static get version(): Version {
    return versionOf(this)
  }

  /** The version this op instance runs with (ML ops add their last training). */
  get opVersion(): Version {
    return versionOf(this.constructor)
  }

  /** Whether loading may pick a saved version other than the code's (false only for predictors). */
  get allowVersionChange(): boolean {
    return true
  }

  /** Reports progress to the worker running this op; a no-op elsewhere. */
  reportProgress(progress: Progress): void {
    reportProgress(progress)
  }
}
