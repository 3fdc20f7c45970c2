// Model adapters: ml.js estimators behind one JSON-only interface

export type { AdapterConstructor } from './adapters/adapter-base.js'
export { AdapterBase } from './adapters/adapter-base.js'
export type { DecisionTreeClassifierParams } from './adapters/decision-tree-classifier.js'
export { DecisionTreeClassifier } from './adapters/decision-tree-classifier.js'
export type { GaussianNBParams } from './adapters/gaussian-nb.js'
export { GaussianNB } from './adapters/gaussian-nb.js'
export type { KMeansModelJSON, KMeansParams } from './adapters/k-means.js'
export { KMeans } from './adapters/k-means.js'
export type { KNNParams } from './adapters/knn.js'
export { KNN } from './adapters/knn.js'
export type { LogisticRegressionParams } from './adapters/logistic-regression.js'
export { LogisticRegression } from './adapters/logistic-regression.js'
export type { AdapterJSON, ModelAdapter, ModelAdapterClass } from './adapters/model-adapter.js'
export { modelAdapters } from './adapters/model-adapters.js'
export type { MultivariateLinearRegressionParams } from './adapters/multivariate-linear-regression.js'
export { MultivariateLinearRegression } from './adapters/multivariate-linear-regression.js'
export type { PCAParams } from './adapters/pca.js'
export { PCA } from './adapters/pca.js'
export type { RandomForestParams } from './adapters/random-forest-classifier.js'
export { RandomForestClassifier } from './adapters/random-forest-classifier.js'
export type { RandomForestRegressorParams } from './adapters/random-forest-regressor.js'
export { RandomForestRegressor } from './adapters/random-forest-regressor.js'
export { ShapeError } from './adapters/shape-error.js'

// Data sets

export type { IrisData } from './data/iris.js'
export { loadIris } from './data/iris.js'

// ML ops: MLOp subclasses whose model is one of the adapters above

export { ModelOp } from './ops/model-op.js'
export { SupervisedOp } from './ops/supervised-op.js'
export { UnsupervisedOp } from './ops/unsupervised-op.js'
