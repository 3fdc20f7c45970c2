import { ChariotsError, ErrorCode, MLOp, VersionedFieldDict, VersionType } from '@chariots/core'
import * as tf from '@tensorflow/tfjs'
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
 * (a fraction in 0..1). `fit(X, y)` takes arrays of rows (y may be one number per row);
 * `predict(X)` returns plain arrays of rows. The model, its weights and its optimizer state are
 * saved through in-memory TF.js IO handlers ({@link serializeLayersModel}).
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

  /** Trains the fresh model from `initModel` on X (rows) and y (rows, or one number per row). */
  async fit(X: number[][], y: number[] | number[][]): Promise<void> {
    const params: TFJSFitParams = {
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
    if (yRows.length !== (Array.isArray(X) ? X.length : -1)) {
      throw new ChariotsError(
        ErrorCode.INVALID_INPUT,
        `op '${this.name}' expects one y per row of X: got ${Array.isArray(X) ? X.length : 'no'} rows of X and ${y.length} values of y`,
      )
    }
    const xs = this.toTensor(X, 'X', this.model.inputs[0]?.shape)
    let ys: tf.Tensor2D | undefined
    try {
      // y is not checked against the output width: a sparse categorical loss takes one class per row.
      ys = this.toTensor(yRows, 'y', undefined)
      const epochs = params.epochs!
      await this.model.fit(xs, ys, {
        ...params,
        callbacks: { onEpochEnd: async (epoch) => this.reportProgress((epoch + 1) / epochs) },
      })
    } finally {
      xs.dispose()
      ys?.dispose()
    }
  }

  /** The model's (first) output for each row of X, as plain arrays of rows. */
  predict(X: number[][]): number[][] {
    const xs = this.toTensor(X, 'X', this.model.inputs[0]?.shape)
    try {
      const out = this.model.predict(xs)
      const first = Array.isArray(out) ? out[0]! : out
      const rows = first.arraySync() as number[][]
      for (const t of Array.isArray(out) ? out : [out]) t.dispose()
      return rows
    } finally {
      xs.dispose()
    }
  }

  override serializeModel(model: tf.LayersModel): Promise<Uint8Array> {
    return serializeLayersModel(model)
  }

  override loadModel(bytes: Uint8Array): Promise<tf.LayersModel> {
    return loadLayersModel(bytes)
  }

  /** Checks rows of finite numbers, as wide as the model's layer when it says (shape [null, width]). */
  private toTensor(
    rows: unknown,
    what: 'X' | 'y',
    shape: readonly (number | null)[] | undefined,
  ): tf.Tensor2D {
    const expectedWidth = shape?.length === 2 && typeof shape[1] === 'number' ? shape[1] : undefined
    const expected = `${what} as a non-empty array of rows of ${expectedWidth ?? 'n'} finite numbers`
    const fail = (actual: string): never => {
      throw new ChariotsError(
        ErrorCode.INVALID_INPUT,
        `op '${this.name}' expects ${expected}, got ${actual}`,
        {
          details: { expected, actual },
        },
      )
    }
    if (!Array.isArray(rows) || rows.length === 0) {
      return fail(Array.isArray(rows) ? 'an empty array' : `${typeof rows}`)
    }
    const width = expectedWidth ?? (Array.isArray(rows[0]) ? rows[0].length : 0)
    rows.forEach((row: unknown, i) => {
      if (!Array.isArray(row)) fail(`a ${typeof row} at index ${i}`)
      const r = row as unknown[]
      if (r.length !== width || width === 0) fail(`a row of ${r.length} at index ${i}`)
      const bad = r.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v))
      if (bad >= 0) fail(`${String(r[bad])} at row ${i}, column ${bad}`)
    })
    return tf.tensor2d(rows as number[][])
  }
}
