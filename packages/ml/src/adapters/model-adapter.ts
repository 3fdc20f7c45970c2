/**
 * A trainable model behind a uniform, JSON-only interface: the layer the ML ops sit on.
 *
 * @example
 * ```ts
 * import { KNN, type ModelAdapter } from '@chariots/ml'
 * const model: ModelAdapter = new KNN({ k: 1 })
 * model.fit([[0], [10]], [0, 1])
 * model.predict([[1], [9]]) // [0, 1]
 * ```
 */
export interface ModelAdapter {
  /** Registry key, e.g. `'pca'`; also the `kind` of the JSON form. */
  readonly kind: string
  /** Whether it holds a trained model (from `fit` or `fromJSON`); the ops check it before predicting or saving. */
  readonly isFitted: boolean
  /** Trains from scratch, replacing any earlier model. */
  fit(X: number[][], y?: number[]): void
  /** Plain JSON arrays: transformed rows for PCA, labels for classifiers, values for regressors. */
  predict(X: number[][]): number[] | number[][]
  /** The JSON form `fromJSON` reads back (see {@link AdapterJSON}). */
  toJSON(): unknown
}

/**
 * The class side of an adapter: construct it from its parameters, or restore a trained one.
 *
 * @example
 * ```ts
 * import { modelAdapters, type ModelAdapterClass } from '@chariots/ml'
 * const Adapter: ModelAdapterClass = modelAdapters.pca
 * const pca = new Adapter({ nComponents: 1 })
 * pca.fit([[1, 2], [2, 4], [3, 7]])
 * Adapter.fromJSON(JSON.parse(JSON.stringify(pca))).predict([[1, 2]])
 * ```
 */
export interface ModelAdapterClass<P = Record<string, unknown>> {
  readonly kind: string
  new (params: P): ModelAdapter
  fromJSON(json: unknown): ModelAdapter
}

/**
 * The JSON form every adapter in this package writes: an envelope around the model.
 * `model` is the ml.js library's own `toJSON()` export, made plain JSON (loadable with the library's
 * `load`), except for KMeans, which has none (see `KMeansModelJSON`). The envelope keeps what the
 * library export lacks: the parameters (PCA's `nComponents`, and for refitting) and the feature count
 * (so `predict` can reject rows of the wrong width after a load).
 *
 * @example
 * ```ts
 * import { PCA, type AdapterJSON } from '@chariots/ml'
 * const pca = new PCA({ nComponents: 1 })
 * pca.fit([[1, 2], [2, 4], [3, 7]])
 * const json: AdapterJSON = pca.toJSON() // { kind: 'pca', params: { nComponents: 1 }, nFeatures: 2, model: { name: 'PCA', … } }
 * ```
 */
export interface AdapterJSON<P = Record<string, unknown>> {
  kind: string
  params: P
  nFeatures: number
  model: unknown
}
