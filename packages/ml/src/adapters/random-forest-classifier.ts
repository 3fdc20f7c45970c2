import { RandomForestClassifier as MLRandomForestClassifier } from 'ml-random-forest'
import { AdapterBase } from './adapter-base.js'
import { checkLabels } from './check-input.js'

/** Options of the random forests; the defaults are ml-random-forest's. */
export interface RandomForestParams {
  /** Trees in the forest (default 10). */
  nEstimators?: number
  /** Features per tree: a count, or a fraction in (0, 1) (default 1.0). */
  maxFeatures?: number
  /** Draw features with replacement (default true). */
  replacement?: boolean
  /** Seed of the feature and sample draws, a 32-bit integer (default 42), so training is repeatable. */
  seed?: number
  /** Bootstrap the training rows per tree (default false). */
  useSampleBagging?: boolean
  /**
   * Skip the out-of-bag predictions (default true here, unlike ml-random-forest: its OOB pass throws
   * "input must not be empty" when a row lands in every tree's sample, as with few trees).
   */
  noOOB?: boolean
  /** Options of each ml-cart tree, e.g. `{ maxDepth: 5, minNumSamples: 3 }`. */
  treeOptions?: Record<string, unknown>
}

/**
 * Random forest classifier (ml-random-forest); `y` holds class indices 0..n-1 and `predict` returns
 * them. JSON `model`: the library's own `toJSON()` export.
 *
 * @example
 * ```ts
 * import { RandomForestClassifier, loadIris } from '@chariots/ml'
 * const { X, y } = loadIris()
 * const forest = new RandomForestClassifier({ nEstimators: 25, seed: 3 })
 * forest.fit(X, y)
 * forest.predict([X[0]!, X[149]!]) // [0, 2]
 * ```
 */
export class RandomForestClassifier extends AdapterBase<RandomForestParams, MLRandomForestClassifier> {
  /** Registry key. */
  static readonly kind = 'random-forest-classifier'

  constructor(params: RandomForestParams = {}) {
    super(params)
  }

  /** Restores a fitted forest from {@link RandomForestClassifier.toJSON}'s output. */
  static fromJSON(json: unknown): RandomForestClassifier {
    return AdapterBase.restore(RandomForestClassifier, json)
  }

  protected train(X: number[][], y: number[] | undefined): MLRandomForestClassifier {
    const labels = checkLabels('RandomForestClassifier.fit', y, X.length)
    const model = new MLRandomForestClassifier({ noOOB: true, ...this.params })
    model.train(X, labels)
    return model
  }

  protected infer(model: MLRandomForestClassifier, X: number[][]): number[] {
    return model.predict(X)
  }

  protected save(model: MLRandomForestClassifier): unknown {
    return model.toJSON()
  }

  protected load(json: unknown): MLRandomForestClassifier {
    return MLRandomForestClassifier.load(json as ReturnType<MLRandomForestClassifier['toJSON']>)
  }
}
