import { RandomForestRegression } from 'ml-random-forest'
import { AdapterBase } from './adapter-base.js'
import { checkTargets } from './check-input.js'
import type { RandomForestParams } from './random-forest-classifier.js'

/** Options of {@link RandomForestRegressor}. */
export interface RandomForestRegressorParams extends RandomForestParams {
  /** How the trees' predictions combine (default 'mean'). */
  selectionMethod?: 'mean' | 'median'
}

/**
 * Random forest regressor (ml-random-forest's `RandomForestRegression`); `predict` returns one number
 * per row. JSON `model`: the library's own `toJSON()` export.
 *
 * @example
 * ```ts
 * import { RandomForestRegressor } from '@chariots/ml'
 * const X = Array.from({ length: 20 }, (_, i) => [i])
 * const forest = new RandomForestRegressor({ nEstimators: 10 })
 * forest.fit(X, X.map(([x]) => 2 * x! + 1))
 * forest.predict([[3]]) // [7.8], near 2 · 3 + 1
 * ```
 */
export class RandomForestRegressor extends AdapterBase<RandomForestRegressorParams, RandomForestRegression> {
  /** Registry key. */
  static readonly kind = 'random-forest-regressor'

  constructor(params: RandomForestRegressorParams = {}) {
    super(params)
  }

  /** Restores a fitted forest from {@link RandomForestRegressor.toJSON}'s output. */
  static fromJSON(json: unknown): RandomForestRegressor {
    return AdapterBase.restore(RandomForestRegressor, json)
  }

  protected train(X: number[][], y: number[] | undefined): RandomForestRegression {
    const targets = checkTargets('RandomForestRegressor.fit', y, X.length)
    const model = new RandomForestRegression({ noOOB: true, ...this.params })
    model.train(X, targets)
    return model
  }

  protected infer(model: RandomForestRegression, X: number[][]): number[] {
    return model.predict(X)
  }

  protected save(model: RandomForestRegression): unknown {
    return model.toJSON()
  }

  protected load(json: unknown): RandomForestRegression {
    return RandomForestRegression.load(json as ReturnType<RandomForestRegression['toJSON']>)
  }
}
