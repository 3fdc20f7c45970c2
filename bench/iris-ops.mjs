// The iris ops and pipelines the benchmarks run (PCA + logistic regression, a random forest), as
// @chariots/testing held them before it stopped depending on ml.js; @chariots/ml's tests keep the
// same ops as TypeScript fixtures. Plain JavaScript, so the benchmarks run on the built packages.
import {
  BaseOp,
  MLMode,
  Node,
  Pipeline,
  ReservedNodes,
  VersionedFieldDict,
  VersionType,
  versioned,
} from '@chariots/core'
import {
  LogisticRegression,
  loadIris,
  PCA,
  RandomForestClassifier,
  SupervisedOp,
  UnsupervisedOp,
} from '@chariots/ml'
import { z } from 'zod'

class IrisFullDatasetOp extends BaseOp {
  static opName = 'iris_full'
  execute() {
    const { X, y } = loadIris()
    return [X, y]
  }
}
class IrisXDatasetOp extends BaseOp {
  static opName = 'iris_x'
  execute() {
    return loadIris().X
  }
}
class PCAOp extends UnsupervisedOp {
  static opName = 'pca'
  static modelClass = versioned(PCA, VersionType.MAJOR)
  static modelParameters = new VersionedFieldDict(VersionType.MAJOR, { nComponents: 2 })
}
class LogisticOp extends SupervisedOp {
  static opName = 'logistic'
  static modelClass = versioned(LogisticRegression, VersionType.MAJOR)
  static modelParameters = new VersionedFieldDict(VersionType.MAJOR, {
    numSteps: 1e3,
    learningRate: 5e-3,
  })
}
class RandomForestOp extends SupervisedOp {
  static opName = 'random_forest'
  static modelClass = versioned(RandomForestClassifier, VersionType.MAJOR)
  static modelParameters = new VersionedFieldDict(VersionType.MAJOR, { nEstimators: 25 })
}
function irisTrainingPipeline(name = 'train_iris') {
  return new Pipeline(
    [
      new Node(new IrisFullDatasetOp(), { outputNodes: ['x', 'y'] }),
      new Node(new PCAOp(MLMode.FIT_PREDICT), { inputNodes: ['x'], outputNodes: 'x_pca' }),
      new Node(new LogisticOp(MLMode.FIT), { inputNodes: ['x_pca', 'y'] }),
    ],
    name,
  )
}
function irisPredictionPipeline(name = 'pred_iris', options = {}) {
  return new Pipeline(
    [
      new Node(new PCAOp(MLMode.PREDICT), {
        inputNodes: [ReservedNodes.pipelineInput],
        outputNodes: 'x_pca',
      }),
      new Node(new LogisticOp(MLMode.PREDICT), {
        inputNodes: ['x_pca'],
        outputNodes: ReservedNodes.pipelineOutput,
      }),
    ],
    name,
    { input: z.array(z.array(z.number()).length(4)), ...(options.batch ? { batch: options.batch } : {}) },
  )
}

export {
  IrisFullDatasetOp,
  IrisXDatasetOp,
  irisPredictionPipeline,
  irisTrainingPipeline,
  LogisticOp,
  PCAOp,
  RandomForestOp,
}
