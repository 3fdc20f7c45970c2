import MLKNN from 'ml-knn'
import { AdapterBase } from './adapter-base.js'
import { checkLabels } from './check-input.js'

/** Options of {@link KNN}. */
export interface KNNParams {
  /** Neighbours that vote (default: the number of classes + 1, ml-knn's default). */
  k?: number
}

// ml-knn ships no types: the part we use. Only the default (euclidean) distance: a custom distance
// function would not survive JSON.
interface MLModel {
  predict(X: number[][]): number[]
  toJSON(): unknown
}
const Lib: { new (X: number[][], y: number[], options: KNNParams): MLModel; load(json: unknown): MLModel } =
  MLKNN

/**
 * k-nearest-neighbours classifier (ml-knn, euclidean distance); `y` holds class indices 0..n-1 and
 * `predict` returns them. ml-knn builds its k-d tree in its constructor: `fit` does that.
 * JSON `model`: the library's own `toJSON()` export (the k-d tree holds the training rows).
 *
 * @example
 * ```ts
 * import { KNN } from '@chariots/ml'
 * const knn = new KNN({ k: 1 })
 * knn.fit([[0, 0], [10, 10]], [0, 1])
 * knn.predict([[1, 1], [9, 8]]) // [0, 1]
 * ```
 */
export class KNN extends AdapterBase<KNNParams, MLModel> {
  /** Registry key. */
  static readonly kind = 'knn'

  constructor(params: KNNParams = {}) {
    super(params)
  }

  /** Restores a fitted model from {@link KNN.toJSON}'s output. */
  static fromJSON(json: unknown): KNN {
    return AdapterBase.restore(KNN, json)
  }

  protected train(X: number[][], y: number[] | undefined): MLModel {
    const labels = checkLabels('KNN.fit', y, X.length)
    return new Lib(X, labels, { ...this.params })
  }

  protected infer(model: MLModel, X: number[][]): number[] {
    return model.predict(X)
  }

  protected save(model: MLModel): unknown {
    return model.toJSON()
  }

  protected load(json: unknown): MLModel {
    return Lib.load(json)
  }
}
