import { DecisionTreeClassifier as MLDecisionTreeClassifier } from 'ml-cart'
import { AdapterBase } from './adapter-base.js'
import { checkLabels } from './check-input.js'

/** Options of {@link DecisionTreeClassifier}; the defaults are ml-cart's. */
export interface DecisionTreeClassifierParams {
  /** Split criterion; ml-cart supports only 'gini'. */
  gainFunction?: 'gini'
  /** Split value between two feature values; ml-cart supports only 'mean'. */
  splitFunction?: 'mean'
  /** Fewest samples a node needs to split (default 3). */
  minNumSamples?: number
  /** Deepest level of the tree (default unbounded). */
  maxDepth?: number
  /** Smallest gain worth a split (default 0.01). */
  gainThreshold?: number
}

// ml-cart ships no types: the part we use.
interface MLModel {
  train(X: number[][], y: number[]): void
  predict(X: number[][]): number[]
  toJSON(): unknown
}
const Lib: { new (options: DecisionTreeClassifierParams): MLModel; load(json: unknown): MLModel } =
  MLDecisionTreeClassifier

/**
 * CART decision tree classifier (ml-cart); `y` holds class indices 0..n-1 and `predict` returns them.
 * JSON `model`: the library's own `toJSON()` export.
 *
 * @example
 * ```ts
 * import { DecisionTreeClassifier, loadIris } from '@chariots/ml'
 * const { X, y } = loadIris()
 * const tree = new DecisionTreeClassifier({ maxDepth: 4 })
 * tree.fit(X, y)
 * tree.predict([X[0]!]) // [0]
 * ```
 */
export class DecisionTreeClassifier extends AdapterBase<DecisionTreeClassifierParams, MLModel> {
  /** Registry key. */
  static readonly kind = 'decision-tree-classifier'

  constructor(params: DecisionTreeClassifierParams = {}) {
    super(params)
  }

  /** Restores a fitted tree from {@link DecisionTreeClassifier.toJSON}'s output. */
  static fromJSON(json: unknown): DecisionTreeClassifier {
    return AdapterBase.restore(DecisionTreeClassifier, json)
  }

  protected train(X: number[][], y: number[] | undefined): MLModel {
    const labels = checkLabels('DecisionTreeClassifier.fit', y, X.length)
    const model = new Lib({ ...this.params })
    model.train(X, labels)
    return model
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
