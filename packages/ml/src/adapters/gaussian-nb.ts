import { GaussianNB as MLGaussianNB } from 'ml-naivebayes'
import { AdapterBase } from './adapter-base.js'
import { checkLabels } from './check-input.js'

/** {@link GaussianNB} takes no options. */
export type GaussianNBParams = Record<string, never>

// ml-naivebayes ships no types: the part we use. Per class: `means[c][j]`, and
// `calculateProbabilities[c]` = [log prior, [1 / (sqrt(2π) σ), -2σ²] per feature].
interface MLModel {
  means: number[][]
  calculateProbabilities: [number, ...[number, number][]][]
  train(X: number[][], y: number[]): void
  toJSON(): unknown
}
const Lib: { new (): MLModel; load(json: unknown): MLModel } = MLGaussianNB

/**
 * Gaussian naive Bayes (ml-naivebayes); `y` holds class indices 0..n-1 and `predict` returns them.
 * JSON `model`: the library's own `toJSON()` export.
 *
 * `predict` scores the library's trained parameters itself, in log space: ml-naivebayes 4.0.0 compares
 * `exp(log p)`, which underflows to 0 far from the training data and then answers class -1, and it
 * rejects any batch of exactly (features + 1) rows. Elsewhere it picks the same class.
 *
 * @example
 * ```ts
 * import { GaussianNB, loadIris } from '@chariots/ml'
 * const { X, y } = loadIris()
 * const nb = new GaussianNB()
 * nb.fit(X, y)
 * nb.predict([X[0]!, X[149]!]) // [0, 2]
 * ```
 */
export class GaussianNB extends AdapterBase<GaussianNBParams, MLModel> {
  /** Registry key. */
  static readonly kind = 'gaussian-nb'

  constructor(params: GaussianNBParams = {}) {
    super(params)
  }

  /** Restores a fitted model from {@link GaussianNB.toJSON}'s output. */
  static fromJSON(json: unknown): GaussianNB {
    return AdapterBase.restore(GaussianNB, json)
  }

  protected train(X: number[][], y: number[] | undefined): MLModel {
    const labels = checkLabels('GaussianNB.fit', y, X.length)
    const model = new Lib()
    model.train(X, labels)
    return model
  }

  protected infer(model: MLModel, X: number[][]): number[] {
    return X.map((row) => {
      let best = 0
      let bestScore = Number.NEGATIVE_INFINITY
      model.calculateProbabilities.forEach(([logPrior, ...features], c) => {
        let score = logPrior
        features.forEach(([c1, c2], j) => {
          const d = row[j]! - model.means[c]![j]!
          score += Math.log(c1) + (d * d) / c2
        })
        if (score > bestScore) [best, bestScore] = [c, score]
      })
      return best
    })
  }

  protected save(model: MLModel): unknown {
    return model.toJSON()
  }

  protected load(json: unknown): MLModel {
    return Lib.load(json)
  }
}
