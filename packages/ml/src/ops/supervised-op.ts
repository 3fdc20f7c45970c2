import { ModelOp } from './model-op.js'

/**
 * An op around a supervised model: `fit(X, y)` trains, `predict(X)` returns plain JSON labels or values.
 * In FIT_PREDICT it fits on (X, y) and predicts X.
 *
 * @example
 * ```ts
 * class LogisticOp extends SupervisedOp {
 *   static override opName = 'logistic'
 *   static override modelClass = versioned(LogisticRegression, VersionType.MAJOR)
 *   static override modelParameters = new VersionedFieldDict(VersionType.MAJOR, { numSteps: 1000, learningRate: 5e-3 })
 * }
 * new Node(new LogisticOp(MLMode.FIT), { inputNodes: ['x_pca', 'y'] })
 * ```
 */
export abstract class SupervisedOp extends ModelOp {
  fit(X: number[][], y: number[]): void {
    this.guard(() => this.model.fit(X, y))
  }

  predict(X: number[][]): number[] | number[][] {
    return this.predictWithModel(X)
  }
}
