import { ModelOp } from './model-op.js'

/**
 * An op around an unsupervised model: `fit(X)` trains, `predict(X)` transforms (PCA) or assigns
 * clusters (k-means), as plain JSON arrays.
 *
 * @example
 * ```ts
 * class PCAOp extends UnsupervisedOp {
 *   static override opName = 'pca'
 *   static override modelClass = versioned(PCA, VersionType.MAJOR)
 *   static override modelParameters = new VersionedFieldDict(VersionType.MAJOR, { nComponents: 2 })
 * }
 * new Node(new PCAOp(MLMode.FIT_PREDICT), { inputNodes: ['x'], outputNodes: 'x_pca' })
 * ```
 */
export abstract class UnsupervisedOp extends ModelOp {
  fit(X: number[][]): void {
    this.guard(() => this.model.fit(X))
  }

  predict(X: number[][]): number[] | number[][] {
    return this.predictWithModel(X)
  }
}
