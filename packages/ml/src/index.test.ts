import { describe, expect, it } from 'vitest'
import * as ml from './index.js'

describe('@chariots/ml exports', () => {
  it('lists exactly the public names', () => {
    expect(Object.keys(ml).sort()).toEqual([
      'AdapterBase',
      'DecisionTreeClassifier',
      'GaussianNB',
      'KMeans',
      'KNN',
      'LogisticRegression',
      'ModelOp',
      'MultivariateLinearRegression',
      'PCA',
      'RandomForestClassifier',
      'RandomForestRegressor',
      'ShapeError',
      'SupervisedOp',
      'UnsupervisedOp',
      'loadIris',
      'modelAdapters',
    ])
  })

  it('registers every adapter class under its kind', () => {
    for (const [kind, Adapter] of Object.entries(ml.modelAdapters)) expect(Adapter.kind).toBe(kind)
    expect(Object.keys(ml.modelAdapters)).toHaveLength(9)
  })
})
