import {
  ChariotsError,
  ErrorCode,
  MLOp,
  type VersionedField,
  VersionedFieldDict,
  VersionType,
} from '@chariots/core'
import type { ModelAdapter, ModelAdapterClass } from '../adapters/model-adapter.js'
import { ShapeError } from '../adapters/shape-error.js'

/**
 * The shared base of {@link SupervisedOp} and {@link UnsupervisedOp}: an {@link MLOp} whose model
 * is one of this package's adapters, named by the versioned static `modelClass` and built with the
 * versioned static `modelParameters`. The saved form is the adapter's JSON.
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
    return Buffer.from(JSON.stringify(model.toJSON()), 'utf8')
  }

  loadModel(bytes: Uint8Array): ModelAdapter {
    const json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'))
    return this.guard(() => this.adapterClass.fromJSON(json))
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
