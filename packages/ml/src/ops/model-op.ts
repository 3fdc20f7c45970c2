import {
  ChariotsError,
  ErrorCode,
  MLOp,
  PipelineNotLoadedError,
  type VersionedField,
  VersionedFieldDict,
  VersionType,
} from '@chariots/core'
import type { ModelAdapter, ModelAdapterClass } from '../adapters/model-adapter.js'
import { ShapeError } from '../adapters/shape-error.js'

/**
 * The shared base of {@link SupervisedOp} and {@link UnsupervisedOp}: an {@link MLOp} whose model
 * is one of this package's adapters, named by the versioned static `modelClass` and built with the
 * versioned static `modelParameters`. The saved form is the adapter's JSON (`AdapterJSON`).
 *
 * Errors: input of the wrong shape is a `ChariotsError` `INVALID_INPUT` naming the op and both shapes;
 * predicting or saving with no trained model is a `ChariotsError` naming the op and the fix.
 *
 * @example
 * ```ts
 * import { MLMode, VersionType, VersionedFieldDict, versioned } from '@chariots/core'
 * import { KMeans, UnsupervisedOp } from '@chariots/ml'
 *
 * class ClusterOp extends UnsupervisedOp {
 *   static override opName = 'cluster'
 *   static override modelClass = versioned(KMeans, VersionType.MAJOR)
 *   static override modelParameters = new VersionedFieldDict(VersionType.MAJOR, { k: 2 })
 * }
 * const op = new ClusterOp(MLMode.FIT_PREDICT)
 * await op.execute([[0], [1], [10], [11]]) // e.g. [0, 0, 1, 1]
 * ```
 */
export abstract class ModelOp extends MLOp<ModelAdapter> {
  /** The adapter class, e.g. `versioned(PCA, VersionType.MAJOR)`. */
  static modelClass: VersionedField<ModelAdapterClass<any>> | undefined
  /** The adapter's parameters; every entry counts in the version. */
  static modelParameters: VersionedFieldDict = new VersionedFieldDict(VersionType.MAJOR, {})

  /** The adapter class this op's class declares. */
  protected get adapterClass(): ModelAdapterClass<any> {
    const ctor = this.constructor as typeof ModelOp
    const cls = ctor.modelClass?.value
    if (!cls) {
      throw new ChariotsError(
        ErrorCode.INVALID_GRAPH,
        `op '${this.name}' has no static modelClass; declare one, e.g. static modelClass = versioned(PCA, VersionType.MAJOR)`,
      )
    }
    return cls
  }

  initModel(): ModelAdapter {
    const ctor = this.constructor as typeof ModelOp
    return new this.adapterClass(ctor.modelParameters.toObject())
  }

  serializeModel(model: ModelAdapter): Uint8Array {
    if (!model.isFitted) {
      throw new ChariotsError(
        ErrorCode.SERIALIZATION_ERROR,
        `op '${this.name}' has no trained model to save; run the pipeline that fits it (MLMode.FIT or FIT_PREDICT) before saving`,
      )
    }
    return Buffer.from(JSON.stringify(model.toJSON()), 'utf8')
  }

  // A bad file surfaces as the adapter's ShapeError; core wraps it in SERIALIZATION_ERROR naming the node.
  loadModel(bytes: Uint8Array): ModelAdapter {
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
