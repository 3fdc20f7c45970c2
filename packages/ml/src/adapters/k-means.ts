import { AdapterBase } from './adapter-base.js'
import { lloydKMeans, nearest } from './lloyd-k-means.js'

/** Options of {@link KMeans}. */
export interface KMeansParams {
  /** Number of clusters. */
  k: number
  /** Seed of the initialisation (default 42, so training is repeatable). */
  seed?: number
  /** Initial centroids: 'kmeans++' (default), 'random' or 'mostDistant'. */
  initialization?: 'kmeans++' | 'random' | 'mostDistant'
  /** Iteration cap (default 100). */
  maxIterations?: number
  /** Convergence tolerance (default 1e-6). */
  tolerance?: number
}

/** Our JSON form of a k-means model (ml-kmeans has none): the centroids, one row per cluster. */
export interface KMeansModelJSON {
  centroids: number[][]
}

/**
 * k-means clustering (squared euclidean distance, k-means++ seeding, Lloyd's iterations; see
 * {@link lloydKMeans}); `predict` returns the index of the nearest centroid, the lowest index on a
 * tie. The JSON `model` is ours: {@link KMeansModelJSON}.
 *
 * @example
 * ```ts
 * import { KMeans } from '@chariots/ml'
 * const km = new KMeans({ k: 2 })
 * km.fit([[0, 0], [0, 1], [10, 10], [10, 11]])
 * const [a, b] = km.predict([[0, 0.5], [10, 10.5]]) // two different cluster indices
 * ```
 */
export class KMeans extends AdapterBase<KMeansParams, KMeansModelJSON> {
  /** Registry key. */
  static readonly kind = 'k-means'

  /** Restores a fitted model from {@link KMeans.toJSON}'s output. */
  static fromJSON(json: unknown): KMeans {
    return AdapterBase.restore(KMeans, json)
  }

  protected train(X: number[][]): KMeansModelJSON {
    const { k, seed = 42, ...options } = this.params
    if (!Number.isInteger(k) || k < 1 || k > X.length) {
      throw new RangeError(
        `KMeans needs params.k, a whole number from 1 to the ${X.length} rows of X, got ${k}`,
      )
    }
    return {
      centroids: lloydKMeans(X, k, {
        seed,
        initialization: options.initialization ?? 'kmeans++',
        maxIterations: options.maxIterations ?? 100,
        tolerance: options.tolerance ?? 1e-6,
      }),
    }
  }

  protected infer({ centroids }: KMeansModelJSON, X: number[][]): number[] {
    return X.map((row) => nearest(centroids, row))
  }

  protected save(model: KMeansModelJSON): KMeansModelJSON {
    return model
  }

  protected load(json: unknown): KMeansModelJSON {
    const { centroids } = json as KMeansModelJSON
    if (!Array.isArray(centroids) || centroids.length === 0) {
      throw new TypeError('model.centroids is not a list of rows')
    }
    return { centroids }
  }
}
