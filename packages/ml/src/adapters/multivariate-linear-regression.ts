import MLR from 'ml-regression-multivariate-linear'
import { AdapterBase } from './adapter-base.js'
import { checkMatrix, checkTargets } from './check-input.js'
import { ShapeError } from './shape-error.js'

/** Options of {@link MultivariateLinearRegression}. */
export interface MultivariateLinearRegressionParams {
  /** Fit an intercept term (default true). */
  intercept?: boolean
}

/** The trained regression and its JSON export (see `load` for why we keep the JSON). */
interface Trained {
  regression: MLR
  json: unknown
}

/**
 * Ordinary least squares with one or more outputs (ml-regression-multivariate-linear).
 *
 * `y` may be `number[]` (one output) or `number[][]` (one row of outputs per row of X). `predict`
 * returns `number[]` when the model has one output and `number[][]` when it has several, so a
 * single-column `number[][]` y also predicts `number[]`: the rule depends only on the model, and so
 * holds after a JSON round trip. JSON `model`: the library's own `toJSON()` export, without the
 * optional statistics summary.
 *
 * @example
 * ```ts
 * import { MultivariateLinearRegression } from '@chariots/ml'
 * const X = [[0, 0], [1, 0], [0, 1], [1, 1]]
 * const ols = new MultivariateLinearRegression()
 * ols.fit(X, X.map(([a, b]) => 2 * a! - b! + 1))
 * ols.predict([[2, 2]]) // [≈3]
 * ```
 */
export class MultivariateLinearRegression extends AdapterBase<
  MultivariateLinearRegressionParams,
  Trained,
  number[] | number[][],
  number[] | number[][]
> {
  /** Registry key. */
  static readonly kind = 'multivariate-linear-regression'

  constructor(params: MultivariateLinearRegressionParams = {}) {
    super(params)
  }

  /** Restores a fitted model from {@link MultivariateLinearRegression.toJSON}'s output. */
  static fromJSON(json: unknown): MultivariateLinearRegression {
    return AdapterBase.restore(MultivariateLinearRegression, json)
  }

  protected train(X: number[][], y: number[] | number[][] | undefined): Trained {
    const where = 'MultivariateLinearRegression.fit'
    let Y: number[][]
    if (Array.isArray(y) && Array.isArray(y[0])) {
      checkMatrix(where, y)
      if (y.length !== X.length) {
        throw new ShapeError(where, `y as ${X.length} rows (one per row of X)`, `${y.length} rows`)
      }
      Y = y as number[][]
    } else {
      Y = checkTargets(where, y, X.length).map((v) => [v])
    }
    // The library trains in its constructor; its statistics only cover the first output, so we skip them.
    const regression = new MLR(X, Y, { intercept: this.params.intercept ?? true, statistics: false })
    return { regression, json: regression.toJSON() }
  }

  protected infer({ regression }: Trained, X: number[][]): number[] | number[][] {
    const rows = regression.predict(X)
    return rows[0]!.length === 1 ? rows.map((r) => r[0]!) : rows
  }

  protected save(model: Trained): unknown {
    return model.json
  }

  // A loaded model's own toJSON() reads statistics it never had and throws (2.0.4), so we keep the
  // JSON we were given and write that back.
  protected load(json: unknown): Trained {
    return { regression: MLR.load(json as MLR.MLRModel), json }
  }
}
