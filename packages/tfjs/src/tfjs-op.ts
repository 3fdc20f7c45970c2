import { ChariotsError, ErrorCode, MLOp, VersionedFieldDict, VersionType } from '@chariots/core'
import type * as tf from '@tensorflow/tfjs'
import { fitCallbacks, type TFJSCallback } from './fit-callbacks.js'
import { inputTensors, rowsTensor } from './input-tensors.js'
import { loadLayersModel, serializeLayersModel } from './model-io.js'

/** The `model.fit` options a {@link TFJSOp} passes (versioned through its static `fitParams`). */
export interface TFJSFitParams {
  /** Passes over the data (default 10). */
  epochs?: number
  /** Rows per gradient step (default 32). */
  batchSize?: number
  /** Shuffle the rows each epoch (default false here, unlike TF.js: its shuffle uses Math.random). */
  shuffle?: boolean
  /** Share of the rows, from the end, held out for validation (default 0). */
  validationSplit?: number
  /** 1 prints a line per epoch (default 0). */
  verbose?: 0 | 1
  /**
   * TF.js callbacks (`tf.callbacks.earlyStopping(…)`, a `tf.Callback` subclass) or hook objects
   * (`{ onEpochEnd }`), one or a list. They run alongside the op's progress callback, before it at
   * each hook. Being static, they are shared by every instance of the op class.
   */
  callbacks?: TFJSCallback | TFJSCallback[]
}

/** What a TFJSOp passes to `model.fit` for the entries its `fitParams` leave out. */
const FIT_DEFAULTS = {
  epochs: 10,
  batchSize: 32,
  shuffle: false,
  verbose: 0,
} as const satisfies TFJSFitParams

/**
 * An op over a TensorFlow.js layers model (pure JS backend). Build and compile the model in
 * `initModel` (seed its initializers for repeatable training); the static `fitParams` (versioned,
 * see {@link TFJSFitParams}; entries left out take the defaults epochs 10, batchSize 32,
 * shuffle false) are passed to `model.fit`, which reports each finished epoch as job progress
 * (a fraction in 0..1; 1 when training ends, early stopping included), alongside the callbacks
 * `fitParams.callbacks` gives. `fit(X, y)` takes arrays of rows (y may be one number per row);
 * `predict(X)` returns plain arrays of rows. For a multi-input model (`tf.model({ inputs: [a, b] })`)
 * X is a list of arrays of rows, one per input, as the Python original passes to Keras. The model,
 * its weights and its optimizer state are saved through in-memory TF.js IO handlers
 * ({@link serializeLayersModel}).
 *
 * @example
 * ```ts
 * import { MLMode, VersionedFieldDict, VersionType } from '@chariots/core'
 * import { TFJSOp } from '@chariots/tfjs'
 * import * as tf from '@tensorflow/tfjs'
 *
 * class AddOneModel extends TFJSOp {
 *   static override opName = 'add_one_model'
 *   static override fitParams = new VersionedFieldDict(VersionType.MAJOR, { epochs: 300, batchSize: 10 })
 *   initModel() {
 *     const model = tf.sequential({
 *       layers: [tf.layers.dense({ units: 1, inputShape: [1], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })],
 *     })
 *     model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' })
 *     return model
 *   }
 * }
 * const xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((x) => [x])
 * const op = new AddOneModel(MLMode.FIT_PREDICT)
 * await op.execute(xs, xs.map(([x]) => x! + 1)) // [[≈1], [≈2], …]
 * ```
 */
export abstract class TFJSOp extends MLOp<tf.LayersModel> {
  /** Options of `model.fit`; every entry counts in the version. */
  static fitParams: VersionedFieldDict = new VersionedFieldDict(VersionType.MAJOR, { ...FIT_DEFAULTS })

  /**
   * Trains the fresh model from `initModel` on X and y (rows, or one number per row). X is rows, or
   * for a multi-input model a list of arrays of rows, one per input.
   */
  async fit(X: number[][] | number[][][], y: number[] | number[][]): Promise<void> {
    const { callbacks, ...params }: TFJSFitParams = {
      ...FIT_DEFAULTS,
      ...((this.constructor as typeof TFJSOp).fitParams.toObject() as TFJSFitParams),
    }
    if (!Array.isArray(y)) {
      throw new ChariotsError(
        ErrorCode.INVALID_INPUT,
        `op '${this.name}' expects y as an array of rows or numbers, got ${typeof y}`,
      )
    }
    const yRows = y.map((v) => (Array.isArray(v) ? v : [v]))
    const xs = inputTensors(this.name, X, this.model.inputs)
    let ys: tf.Tensor2D | undefined
    try {
      const counts = xs.map((x) => x.shape[0])
      if (counts.some((n) => n !== yRows.length)) {
        throw new ChariotsError(
          ErrorCode.INVALID_INPUT,
          `op '${this.name}' expects one y per row of X: got ${counts.join(' and ')} rows of X and ${y.length} values of y`,
        )
      }
      // y is not checked against the output width: a sparse categorical loss takes one class per row.
      ys = rowsTensor(this.name, yRows, 'y', undefined)
      const epochs = params.epochs!
      let reported = 0
      const progress: tf.CustomCallbackArgs = {
        onEpochEnd: async (epoch) => {
          reported = (epoch + 1) / epochs
          this.reportProgress(reported)
        },
        // Early stopping ends training before the last epoch: the training is still done.
        onTrainEnd: async () => {
          if (reported < 1) this.reportProgress(1)
        },
      }
      await this.model.fit(xs.length === 1 ? xs[0]! : xs, ys, {
        ...params,
        callbacks: fitCallbacks(callbacks, progress),
      })
    } finally {
      for (const x of xs) x.dispose()
      ys?.dispose()
    }
  }

  /**
   * The model's (first) output for each row of X, as plain arrays of rows. X is rows, or for a
   * multi-input model a list of arrays of rows, one per input.
   */
  predict(X: number[][] | number[][][]): number[][] {
    const xs = inputTensors(this.name, X, this.model.inputs)
    try {
      const out = this.model.predict(xs.length === 1 ? xs[0]! : xs)
      const first = Array.isArray(out) ? out[0]! : out
      const rows = first.arraySync() as number[][]
      for (const t of Array.isArray(out) ? out : [out]) t.dispose()
      return rows
    } finally {
      for (const x of xs) x.dispose()
    }
  }

  override serializeModel(model: tf.LayersModel): Promise<Uint8Array> {
    return serializeLayersModel(model)
  }

  override loadModel(bytes: Uint8Array): Promise<tf.LayersModel> {
    return loadLayersModel(bytes)
  }
}
