import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import { versionOf } from '../versioning/version-of.js'
import { VersionType } from '../versioning/version-type.js'
import type { BaseOpOptions } from './base-op.js'
import { LoadableOp } from './loadable-op.js'
import { MLMode } from './ml-mode.js'

/**
 * An op around a model: in FIT mode it trains, in PREDICT mode it predicts, in FIT_PREDICT it
 * trains on its inputs and predicts on the first. Each training moves the op's version (the
 * sub-version named by the static `trainingUpdateVersion`), so downstream models trained on an
 * older fit are detected. The serialized form holds the model and its last training time.
 *
 * Only PREDICT-mode ops load saved state (and need it); FIT and FIT_PREDICT ops train from a fresh
 * `initModel()` on every run, so a missing or corrupt saved model never blocks retraining.
 * `serializeModel` and `loadModel` default to JSON, for models that are plain JSON data.
 *
 * @example
 * ```ts
 * class MeanOp extends MLOp<number> {
 *   initModel() { return 0 }
 *   fit(xs: number[]) { this.model = xs.reduce((a, b) => a + b, 0) / xs.length }
 *   predict(xs: number[]) { return xs.map(() => this.model) }
 *   serializeModel() { return new TextEncoder().encode(JSON.stringify(this.model)) }
 *   loadModel(b: Uint8Array) { return JSON.parse(new TextDecoder().decode(b)) as number }
 * }
 * new MeanOp(MLMode.FIT)
 * ```
 */
export abstract class MLOp<M = unknown> extends LoadableOp {
  /** The sub-version each training moves. */
  static override trainingUpdateVersion: VersionType = VersionType.MAJOR
  readonly mode: MLMode
  private currentModel: M | undefined
  private trainedAt: number | null = null

  constructor(mode: MLMode, options: BaseOpOptions = {}) {
    super(options)
    if (!Object.values(MLMode).includes(mode)) {
      throw new ChariotsError(
        ErrorCode.INVALID_INPUT,
        `${new.target.name} got mode '${String(mode)}'; use MLMode.FIT, MLMode.PREDICT or MLMode.FIT_PREDICT`,
      )
    }
    this.mode = mode
  }

  /** A fresh, untrained model. */
  abstract initModel(): M | Promise<M>
  /** Trains `this.model` (a fresh one from `initModel`) on the node's inputs. */
  abstract fit(...args: any[]): void | Promise<void>
  /** Predicts with `this.model`. */
  abstract predict(...args: any[]): unknown

  /**
   * The model as bytes. The default writes the model as JSON, which suits models that are plain
   * data (numbers, arrays, plain objects); a model that is a class instance needs its own.
   */
  serializeModel(model: M): Uint8Array | Promise<Uint8Array> {
    return Buffer.from(modelJson(model, this.name, this.constructor.name), 'utf8')
  }

  /** A model from the bytes `serializeModel` produced (the default reads JSON). */
  loadModel(bytes: Uint8Array): M | Promise<M> {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as M
  }

  /** Seconds since the epoch of the training of the state held (here or where it was saved). */
  get lastTrainingTime(): number | null {
    return this.trainedAt
  }

  /** The model (initialized on first use). */
  get model(): M {
    if (this.currentModel === undefined) {
      const m = this.initModel()
      if (m instanceof Promise) {
        throw new ChariotsError(
          ErrorCode.INTERNAL,
          `${this.name}: initModel is async; await op.ensureModel() first`,
        )
      }
      this.currentModel = m
    }
    return this.currentModel
  }

  set model(model: M) {
    this.currentModel = model
  }

  /** Makes sure a model exists (awaiting an async `initModel`). */
  async ensureModel(): Promise<M> {
    if (this.currentModel === undefined) this.currentModel = await this.initModel()
    return this.currentModel
  }

  async execute(...args: unknown[]): Promise<unknown> {
    if (this.mode === MLMode.PREDICT) {
      await this.ensureModel()
      return this.predict(...args)
    }
    this.currentModel = await this.initModel()
    await this.fit(...args)
    this.trainedAt = this.markStateChanged().creationTime
    return this.mode === MLMode.FIT_PREDICT ? this.predict(args[0]) : undefined
  }

  override get allowVersionChange(): boolean {
    return this.mode !== MLMode.PREDICT
  }

  override get requiresSavedState(): boolean {
    return this.mode === MLMode.PREDICT
  }

  override get usesSavedState(): boolean {
    return this.mode === MLMode.PREDICT
  }

  override get changesStateOnRun(): boolean {
    return this.mode !== MLMode.PREDICT
  }

  /** Envelope: 4-byte big-endian header length, a JSON header `{ lastTrainingTime }`, then the model bytes. */
  async serialize(): Promise<Uint8Array> {
    const model = await this.serializeModel(await this.ensureModel())
    const header = Buffer.from(JSON.stringify({ lastTrainingTime: this.lastTrainingTime, format: 1 }))
    const out = Buffer.alloc(4 + header.length + model.byteLength)
    out.writeUInt32BE(header.length, 0)
    header.copy(out, 4)
    out.set(model, 4 + header.length)
    return out
  }

  async load(bytes: Uint8Array): Promise<void> {
    await this.applyState(await this.decodeState(bytes))
  }

  /** Reads the envelope and the model without touching the op (a corrupt file fails here). */
  override async decodeState(bytes: Uint8Array): Promise<DecodedModel<M>> {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const headerLength = buf.length >= 4 ? buf.readUInt32BE(0) : -1
    const notAnEnvelope = (why: string, cause?: unknown) =>
      new ChariotsError(
        ErrorCode.SERIALIZATION_ERROR,
        `saved state of ML op '${this.name}' is not an MLOp envelope (${why}); delete it and retrain`,
        cause === undefined ? {} : { cause },
      )
    if (headerLength < 0 || 4 + headerLength > buf.length) throw notAnEnvelope('truncated header')
    let header: { lastTrainingTime?: number | null }
    try {
      header = JSON.parse(buf.subarray(4, 4 + headerLength).toString('utf8'))
    } catch (cause) {
      throw notAnEnvelope((cause as Error).message, cause)
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) {
      throw notAnEnvelope('the header is not an object')
    }
    const t = header.lastTrainingTime ?? null
    if (t !== null && !(typeof t === 'number' && Number.isFinite(t))) {
      throw notAnEnvelope('lastTrainingTime is not a number')
    }
    const model = await this.loadModel(buf.subarray(4 + headerLength))
    return { model, lastTrainingTime: header.lastTrainingTime ?? null }
  }

  override snapshotState(): DecodedModel<M> {
    return { model: this.currentModel as M, lastTrainingTime: this.lastTrainingTime }
  }

  override applyState(decoded: unknown): void {
    const { model, lastTrainingTime } = decoded as DecodedModel<M>
    this.currentModel = model
    this.trainedAt = lastTrainingTime
    const version = lastTrainingTime === null ? versionOf(this.constructor) : this.versionAt(lastTrainingTime)
    this.state = { version, lineage: {}, seq: null, changed: false }
  }
}

/** What {@link MLOp.decodeState} answers. */
export interface DecodedModel<M> {
  model: M
  lastTrainingTime: number | null
}

/** JSON of a model that is plain data; a clear error naming the op and the methods to define otherwise. */
function modelJson(model: unknown, opName: string, className: string): string {
  const problem = notPlainJson(model, 'the model', 0)
  if (problem) {
    throw new ChariotsError(
      ErrorCode.SERIALIZATION_ERROR,
      `ML op '${opName}' cannot save its model: ${problem}, which JSON cannot hold; define serializeModel(model) and loadModel(bytes) on ${className}`,
      { details: { op: opName } },
    )
  }
  return JSON.stringify(model)
}

function notPlainJson(value: unknown, where: string, depth: number): string | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${where} is ${value}`
  if (typeof value !== 'object') return `${where} is a ${typeof value}`
  if (depth > 100) return `${where} nests deeper than 100 levels`
  const proto = Object.getPrototypeOf(value)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = notPlainJson(value[i], `${where}[${i}]`, depth + 1)
      if (p) return p
    }
    return null
  }
  if (proto !== Object.prototype && proto !== null) {
    return `${where} is a ${(value as object).constructor?.name ?? 'class instance'}`
  }
  for (const [k, v] of Object.entries(value)) {
    const p = notPlainJson(v, `${where}.${k}`, depth + 1)
    if (p) return p
  }
  return null
}
