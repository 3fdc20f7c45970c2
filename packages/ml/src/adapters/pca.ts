import { PCA as MLPCA } from 'ml-pca'
import { AdapterBase } from './adapter-base.js'
import { ShapeError } from './shape-error.js'

/** Options of {@link PCA}. */
export interface PCAParams {
  /** Columns `predict` returns; defaults to every component (the number of features). */
  nComponents?: number
  /** Subtract the column means first (default true). */
  center?: boolean
  /** Divide by the column standard deviations first (default false). */
  scale?: boolean
}

/**
 * Principal component analysis (ml-pca); `predict` projects rows onto the first `nComponents`
 * components. JSON `model`: ml-pca's own `toJSON()` export.
 *
 * @example
 * ```ts
 * import { PCA, loadIris } from '@chariots/ml'
 * const { X } = loadIris()
 * const pca = new PCA({ nComponents: 2 })
 * pca.fit(X)
 * pca.predict(X.slice(0, 1)) // [[-2.684…, -0.319…]]
 * ```
 */
export class PCA extends AdapterBase<PCAParams, MLPCA, number[][]> {
  /** Registry key. */
  static readonly kind = 'pca'

  constructor(params: PCAParams = {}) {
    super(params)
  }

  /** Restores a fitted PCA from {@link PCA.toJSON}'s output. */
  static fromJSON(json: unknown): PCA {
    return AdapterBase.restore(PCA, json)
  }

  protected train(X: number[][]): MLPCA {
    const { nComponents, center = true, scale = false } = this.params
    const width = X[0]!.length
    if (
      nComponents !== undefined &&
      !(Number.isInteger(nComponents) && nComponents >= 1 && nComponents <= width)
    ) {
      throw new ShapeError(
        'PCA.fit',
        `rows of at least nComponents = ${nComponents} numbers`,
        `rows of ${width}`,
      )
    }
    // ml-pca trains in its constructor.
    return new MLPCA(X, { center, scale })
  }

  protected infer(model: MLPCA, X: number[][]): number[][] {
    const { nComponents } = this.params
    return model.predict(X, nComponents === undefined ? {} : { nComponents }).to2DArray()
  }

  protected save(model: MLPCA): unknown {
    return model.toJSON()
  }

  protected load(json: unknown): MLPCA {
    return MLPCA.load(json as ReturnType<MLPCA['toJSON']>)
  }
}
