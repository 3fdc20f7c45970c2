import {
  type BaseOpOptions,
  ChariotsError,
  ErrorCode,
  MLMode,
  MLOp,
  PipelineNotLoadedError,
  VersionedField,
  VersionedFieldDict,
  VersionType,
  versionPlainStatic,
} from '@chariots/core'
import type { ModelAdapter, ModelAdapterClass } from '../adapters/model-adapter.js'
import { ShapeError } from '../adapters/shape-error.js'

/**
 * The shared base of {@link SupervisedOp} and {@link UnsupervisedOp}: an {@link MLOp} whose model
 * is one of this package's adapters, named by the static `modelClass` and built with the
 * versioned static `modelParameters`. The saved form is the adapter's JSON (`AdapterJSON`).
 *
 * `modelClass` is `versioned(PCA, VersionType.MAJOR)`, or the plain class `PCA` as the Python
 * tutorial writes it, which counts in the version exactly as the versioned form (MAJOR, by the
 * class name). Anything else is refused when the op is constructed (`INVALID_OP`).
 *
 * Errors: input of the wrong shape is a `ChariotsError` `INVALID_INPUT` naming the op and both shapes;
 * predicting with no trained model is a `PipelineNotLoadedError`, saving one a `ChariotsError`
 * `SERIALIZATION_ERROR`, each naming the op and the fix.
 *
 * @example
 * ```ts
 * import { MLMode, VersionType, VersionedFieldDict, versioned } from '@chariots/core'
 * import { KMeans, UnsupervisedOp } from '@chariots/ml'
 *
 * class ClusterOp extends UnsupervisedOp {
 *   static override opName = 'cluster'
 *   static override modelClass = versioned(KMeans, VersionType.MAJOR) // or: = KMeans
 *   static override modelParameters = new VersionedFieldDict(VersionType.MAJOR, { k: 2 })
 * }
 * const op = new ClusterOp(MLMode.FIT_PREDICT)
 * await op.execute([[0], [1], [10], [11]]) // e.g. [0, 0, 1, 1]
 * ```
 */
export abstract class ModelOp extends MLOp<ModelAdapter> {
  /** The adapter class: `versioned(PCA, VersionType.MAJOR)`, or `PCA` (versioned MAJOR by its name). */
  static modelClass: VersionedField<ModelAdapterClass<any>> | ModelAdapterClass<any> | undefined
  /** The adapter's parameters; every entry counts in the version. */
  static modelParameters: VersionedFieldDict = new VersionedFieldDict(VersionType.MAJOR, {})

  /** Refuses a `modelClass` that is not an adapter class (or a versioned one), naming the fix. */
  constructor(mode: MLMode, options: BaseOpOptions = {}) {
    super(mode, options)
    void this.adapterClass
  }

  /** A predicting model op maps each row to one prediction on its own, so its calls may be batched. */
  override get rowWise(): boolean {
    return this.mode === MLMode.PREDICT
  }

  /** The adapter class this op's class declares. */
  protected get adapterClass(): ModelAdapterClass<any> {
    const ctor = this.constructor as typeof ModelOp
    const declared: unknown = ctor.modelClass
    const cls = declared instanceof VersionedField ? declared.value : declared
    if (isAdapterClass(cls)) return cls
    throw new ChariotsError(
      ErrorCode.INVALID_OP,
      `op '${this.name}' (class ${ctor.name}) ${describeModelClass(declared)}; declare one of @chariots/ml's model adapters, e.g. static override modelClass = versioned(PCA, VersionType.MAJOR)`,
      { details: { op: this.name, class: ctor.name } },
    )
  }

  initModel(): ModelAdapter {
    const ctor = this.constructor as typeof ModelOp
    return new this.adapterClass(ctor.modelParameters.toObject())
  }

  override serializeModel(model: ModelAdapter): Uint8Array {
    if (!model.isFitted) {
      throw new ChariotsError(
        ErrorCode.SERIALIZATION_ERROR,
        `op '${this.name}' has no trained model to save; run the pipeline that fits it (MLMode.FIT or FIT_PREDICT) before saving`,
      )
    }
    return Buffer.from(JSON.stringify(model.toJSON()), 'utf8')
  }

  // A bad file surfaces as the adapter's ShapeError; core wraps it in SERIALIZATION_ERROR naming the node.
  override loadModel(bytes: Uint8Array): ModelAdapter {
    const json: unknown = JSON.parse(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
    )
    return this.adapterClass.fromJSON(json)
  }

  /** Predicts with the trained model: plain JSON arrays, or a ChariotsError naming the op. */
  protected predictWithModel(X: number[][]): number[] | number[][] {
    const model = this.model
    if (!model.isFitted) {
      throw new PipelineNotLoadedError(
        `op '${this.name}' has no trained model to predict with; run and save its training pipeline, then load this pipeline from the store`,
      )
    }
    return this.guard(() => model.predict(X))
  }

  /** Runs an adapter call, turning a shape problem into a ChariotsError naming this op. */
  protected guard<T>(fn: () => T): T {
    try {
      return fn()
    } catch (err) {
      if (err instanceof ShapeError) {
        throw new ChariotsError(ErrorCode.INVALID_INPUT, `op '${this.name}': ${err.message}`, {
          cause: err,
          details: { expected: err.expected, actual: err.actual },
        })
      }
      throw err
    }
  }
}

// A plain `static modelClass = PCA` counts in the version as versioned(PCA, VersionType.MAJOR).
versionPlainStatic(ModelOp, 'modelClass', VersionType.MAJOR)

/** A class with the adapter's shape: static `kind` and `fromJSON`, and `fit` and `predict`. */
function isAdapterClass(value: unknown): value is ModelAdapterClass<any> {
  if (typeof value !== 'function') return false
  const cls = value as {
    kind?: unknown
    fromJSON?: unknown
    prototype?: { fit?: unknown; predict?: unknown }
  }
  return (
    typeof cls.kind === 'string' &&
    typeof cls.fromJSON === 'function' &&
    typeof cls.prototype?.fit === 'function' &&
    typeof cls.prototype?.predict === 'function'
  )
}

function describeModelClass(declared: unknown): string {
  if (declared === undefined || declared === null) return 'has no static modelClass'
  if (declared instanceof VersionedField)
    return `has static modelClass versioned(${describeValue(declared.value)}), which is not a model adapter class`
  if (typeof declared === 'function') {
    return `has static modelClass ${describeValue(declared)}, which is not a model adapter class (it lacks a static kind and fromJSON, or fit and predict: a raw ml.js class needs an adapter)`
  }
  return `has static modelClass ${describeValue(declared)}, which is not a model adapter class`
}

function describeValue(value: unknown): string {
  if (typeof value === 'function') return `class ${value.name || '(anonymous)'}`
  if (typeof value === 'string') return `'${value.slice(0, 50)}'`
  return value === null ? 'null' : typeof value
}
