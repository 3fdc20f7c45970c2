import { DecisionTreeClassifier } from './decision-tree-classifier.js'
import { GaussianNB } from './gaussian-nb.js'
import { KMeans } from './k-means.js'
import { KNN } from './knn.js'
import { LogisticRegression } from './logistic-regression.js'
import type { ModelAdapterClass } from './model-adapter.js'
import { MultivariateLinearRegression } from './multivariate-linear-regression.js'
import { PCA } from './pca.js'
import { RandomForestClassifier } from './random-forest-classifier.js'
import { RandomForestRegressor } from './random-forest-regressor.js'

/**
 * Every adapter class by its `kind`, e.g. to restore a model from its JSON alone.
 *
 * @example
 * ```ts
 * import { modelAdapters, PCA } from '@chariots/ml'
 * const pca = new PCA({ nComponents: 1 })
 * pca.fit([[1, 2], [2, 4], [3, 7]])
 * const json = JSON.parse(JSON.stringify(pca))
 * const restored = modelAdapters[json.kind as keyof typeof modelAdapters].fromJSON(json)
 * restored.predict([[1, 2]])
 * ```
 */
export const modelAdapters = {
  [PCA.kind]: PCA,
  [LogisticRegression.kind]: LogisticRegression,
  [RandomForestClassifier.kind]: RandomForestClassifier,
  [RandomForestRegressor.kind]: RandomForestRegressor,
  [DecisionTreeClassifier.kind]: DecisionTreeClassifier,
  [KNN.kind]: KNN,
  [GaussianNB.kind]: GaussianNB,
  [MultivariateLinearRegression.kind]: MultivariateLinearRegression,
  [KMeans.kind]: KMeans,
} as const satisfies Record<string, ModelAdapterClass<any>>
