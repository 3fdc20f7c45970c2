import { ChariotsError, ErrorCode, MLOp, VersionedFieldDict, VersionType } from '@chariots/core'
import * as tf from '@tensorflow/tfjs'
import { loadLayersModel, serializeLayersModel } from './model-io.js'

/** The `model.fit` options a {@link TFJSOp} passes (versioned through `fitParams`). */
export interface TFJSFitParams {
  epochs?: number
  batchSize?: number
  shuffle?: boolean
  validationSplit?: number
  verbose?: 0 | 1
}

/**
 * An op over a TensorFlow.js layers model (pure JS backend). Build and compile the model in
 * `initModel`; `fitParams` (versioned) are passed to `model.fit`, which reports each epoch as job
 * progress. Inputs are arrays of rows; predictions come back as plain arrays of rows. The model
 * and weights are saved through in-memory TF.js IO handlers.
 *
 * @example
 * ```ts
 * class AddOneModel extends TFJSOp {
 *   static override opName = 'add_one_model'
 *   static override fitParams = new VersionedFieldDict(VersionType.MAJOR, { epochs: 100, shuffle: false })
 *   initModel() {
 *     const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] })
 *     model.compile({ optimizer: tf.train.adam(0.1), loss: 'meanSquaredError' })
 *     return model
 *   }
 * }
 * ```
 */
export abstract class TFJSOp extends MLOp<tf.LayersModel> {
  static fitParams: VersionedFieldDict = new VersionedFieldDict(VersionType.MAJOR, {
    epochs: 10,
    batchSize: 32,
    shuffle: false,
  })

  async fit(X: number[][], y: number[] | number[][]): Promise<void> {
    const params = (this.constructor as typeof TFJSOp).fitParams.toObject() as TFJSFitParams
    const xs = this.toTensor(X, 'X')
    const ys = this.toTensor(y.map((v) => (Array.isArray(v) ? v : [v])), 'y')
    if (ys.shape[0] !== xs.shape[0]) {
      xs.dispose()
      ys.dispose()
      throw new ChariotsError(ErrorCode.INVALID_INPUT, `op '${this.name}' got ${X.length} rows of X but ${y.length} values of y`)
    }
    const epochs = params.epochs ?? 10
    try {
      await this.model.fit(xs, ys, {
        ...params,
        verbose: params.verbose ?? 0,
        callbacks: { onEpochEnd: async (epoch) => this.reportProgress((epoch + 1) / epochs) },
      })
    } finally {
      xs.dispose()
      ys.dispose()
    }
  }

  predict(X: number[][]): number[][] {
    const xs = this.toTensor(X, 'X')
    const out = tf.tidy(() => this.model.predict(xs) as tf.Tensor)
    try {
      return out.arraySync() as number[][]
    } finally {
      xs.dispose()
      out.dispose()
    }
  }

  serializeModel(model: tf.LayersModel): Promise<Uint8Array> {
    return serializeLayersModel(model)
  }

  loadModel(bytes: Uint8Array): Promise<tf.LayersModel> {
    return loadLayersModel(bytes)
  }

  private toTensor(rows: number[][], what: string): tf.Tensor2D {
    const width = Array.isArray(rows) && Array.isArray(rows[0]) ? rows[0].length : -1
    const bad = !Array.isArray(rows) || rows.length === 0 || width < 1
      ? 'a non-empty array of rows'
      : rows.findIndex((r) => !Array.isArray(r) || r.length !== width || r.some((v) => typeof v !== 'number' || !Number.isFinite(v)))
    if (typeof bad === 'string' || bad >= 0) {
      const got = typeof bad === 'string' ? JSON.stringify(rows)?.slice(0, 60) : `a bad row at index ${bad}`
      throw new ChariotsError(
        ErrorCode.INVALID_INPUT,
        `op '${this.name}' expects ${what} as rows of ${width > 0 ? width : 'n'} finite numbers, got ${got}`,
      )
    }
    const expected = this.model.inputs[0]?.shape[1]
    if (what === 'X' && typeof expected === 'number' && expected !== width) {
      throw new ChariotsError(ErrorCode.INVALID_INPUT, `op '${this.name}' expects rows of ${expected} numbers, got rows of ${width}`)
    }
    return tf.tensor2d(rows)
  }
}
