import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import { canonicalJson, sha1Hex } from '../versioning/canonical-json.js'
import { Version } from '../versioning/version.js'
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
  static trainingUpdateVersion: VersionType = VersionType.MAJOR
  readonly mode: MLMode
  /** Seconds since the epoch of the last `fit` (here or in the process that saved the state). */
  lastTrainingTime: number | null = null
  private currentModel: M | undefined
  private cachedOpVersion: { at: number | null; version: Version } | undefined

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
  /** The model as bytes. */
  abstract serializeModel(model: M): Uint8Array | Promise<Uint8Array>
  /** A model from the bytes `serializeModel` produced. */
  abstract loadModel(bytes: Uint8Array): M | Promise<M>

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
    this.lastTrainingTime = Version.now()
    this.hasSavedState = true
    return this.mode === MLMode.FIT_PREDICT ? this.predict(args[0]) : undefined
  }

  override get opVersion(): Version {
    const t = this.lastTrainingTime
    if (t === null) return super.opVersion
    if (this.cachedOpVersion?.at !== t) this.cachedOpVersion = { at: t, version: this.versionTrainedAt(t) }
    return this.cachedOpVersion.version
  }

  /**
   * The class version with the training at `time` hashed into the `trainingUpdateVersion`
   * sub-version; its creation time is the training time, so a saved version tells when it was trained.
   */
  private versionTrainedAt(time: number): Version {
    const base = super.opVersion
    const type = (this.constructor as typeof MLOp).trainingUpdateVersion
    return new Version({
      major: base.major,
      minor: base.minor,
      patch: base.patch,
      [type]: sha1Hex(`${base[type]}:trained@${canonicalJson(time)}`),
      creationTime: time,
    })
  }

  /** A saved version is this code's when retraining the class version at its creation time gives it. */
  override matchesCodeVersion(saved: Version): boolean {
    return this.versionTrainedAt(saved.creationTime).major === saved.major || super.matchesCodeVersion(saved)
  }

  override get allowVersionChange(): boolean {
    return this.mode !== MLMode.PREDICT
  }

  override get requiresSavedState(): boolean {
    return this.mode === MLMode.PREDICT
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
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const headerLength = buf.length >= 4 ? buf.readUInt32BE(0) : -1
    let header: { lastTrainingTime?: number | null }
    try {
      if (headerLength < 0 || 4 + headerLength > buf.length) throw new Error('truncated header')
      header = JSON.parse(buf.subarray(4, 4 + headerLength).toString('utf8'))
      if (typeof header !== 'object' || header === null || Array.isArray(header)) {
        throw new Error('the header is not an object')
      }
      const t = header.lastTrainingTime ?? null
      if (t !== null && !(typeof t === 'number' && Number.isFinite(t))) {
        throw new Error('lastTrainingTime is not a number')
      }
    } catch (cause) {
      throw new ChariotsError(
        ErrorCode.SERIALIZATION_ERROR,
        `saved state of ML op '${this.name}' is not an MLOp envelope (${(cause as Error).message}); delete it and retrain`,
        { cause },
      )
    }
    this.currentModel = await this.loadModel(buf.subarray(4 + headerLength))
    this.lastTrainingTime = header.lastTrainingTime ?? null
    this.hasSavedState = true
  }
}
