import MLLogisticRegression from 'ml-logistic-regression'
import { Matrix } from 'ml-matrix'
import { AdapterBase } from './adapter-base.js'
import { checkLabels } from './check-input.js'

/** Options of {@link LogisticRegression}; the defaults are ml-logistic-regression's. */
export interface LogisticRegressionParams {
  /** Gradient steps per one-vs-all classifier (default 50000: about 7 s on iris; 1000 is enough there). */
  numSteps?: number
  /** Gradient step size (default 5e-4). */
  learningRate?: number
}

// ml-logistic-regression ships no types: the part we use.
interface MLModel {
  train(X: Matrix, Y: Matrix): void
  predict(X: Matrix): number[]
  toJSON(): unknown
}
const Lib: { new (options: LogisticRegressionParams): MLModel; load(json: unknown): MLModel } =
  MLLogisticRegression

/**
 * One-vs-all logistic regression (ml-logistic-regression, no intercept term); `y` holds class indices
 * 0..n-1 and `predict` returns them. JSON `model`: the library's own `toJSON()` export.
 *
 * @example
 * ```ts
 * import { LogisticRegression, loadIris } from '@chariots/ml'
 * const { X, y } = loadIris()
 * const model = new LogisticRegression({ numSteps: 1000, learningRate: 5e-3 })
 * model.fit(X, y)
 * model.predict(X.slice(0, 2)) // [0, 0]
 * ```
 */
export class LogisticRegression extends AdapterBase<LogisticRegressionParams, MLModel> {
  /** Registry key. */
  static readonly kind = 'logistic-regression'

  constructor(params: LogisticRegressionParams = {}) {
    super(params)
  }

  /** Restores a fitted model from {@link LogisticRegression.toJSON}'s output. */
  static fromJSON(json: unknown): LogisticRegression {
    return AdapterBase.restore(LogisticRegression, json)
  }

  protected train(X: number[][], y: number[] | undefined): MLModel {
    const labels = checkLabels('LogisticRegression.fit', y, X.length)
    const model = new Lib({ ...this.params })
    model.train(new Matrix(X), Matrix.columnVector(labels))
    return model
  }

  protected infer(model: MLModel, X: number[][]): number[] {
    return model.predict(new Matrix(X))
  }

  protected save(model: MLModel): unknown {
    return model.toJSON()
  }

  protected load(json: unknown): MLModel {
    return Lib.load(json)
  }
}
