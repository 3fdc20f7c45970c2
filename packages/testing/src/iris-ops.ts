// The iris ops and pipelines of the Python original's tests and tutorial, reused by the later
// packages' tests (server, workers) and the example app.
import {
  BaseOp,
  type BatchOptions,
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

/**
 * The iris data set as `[X, y]` (150 rows of 4 measurements, class indices 0..2), for a node with
 * two outputs.
 *
 * @example
 * ```ts
 * new Node(new IrisFullDatasetOp(), { outputNodes: ['x', 'y'] })
 * ```
 */
export class IrisFullDatasetOp extends BaseOp {
  static override opName = 'iris_full'
  execute(): [number[][], number[]] {
    const { X, y } = loadIris()
    return [X, y]
  }
}

/**
 * The iris measurements alone (150 rows of 4 numbers).
 *
 * @example
 * ```ts
 * new Node(new IrisXDatasetOp(), { outputNodes: 'x' })
 * ```
 */
export class IrisXDatasetOp extends BaseOp {
  static override opName = 'iris_x'
  execute(): number[][] {
    return loadIris().X
  }
}

/**
 * PCA down to 2 components.
 *
 * @example
 * ```ts
 * new Node(new PCAOp(MLMode.FIT_PREDICT), { inputNodes: ['x'], outputNodes: 'x_pca' })
 * ```
 */
export class PCAOp extends UnsupervisedOp {
  static override opName = 'pca'
  static override modelClass = versioned(PCA, VersionType.MAJOR)
  static override modelParameters = new VersionedFieldDict(VersionType.MAJOR, { nComponents: 2 })
}

/**
 * Logistic regression, 1000 steps at rate 5e-3: trains on iris in tens of milliseconds.
 *
 * @example
 * ```ts
 * new Node(new LogisticOp(MLMode.FIT), { inputNodes: ['x_pca', 'y'] })
 * ```
 */
export class LogisticOp extends SupervisedOp {
  static override opName = 'logistic'
  static override modelClass = versioned(LogisticRegression, VersionType.MAJOR)
  static override modelParameters = new VersionedFieldDict(VersionType.MAJOR, {
    numSteps: 1000,
    learningRate: 5e-3,
  })
}

/**
 * A random forest of 25 trees (seeded, so training is repeatable).
 *
 * @example
 * ```ts
 * new Node(new RandomForestOp(MLMode.FIT_PREDICT), { inputNodes: ['x', 'y'], outputNodes: '__pipeline_output__' })
 * ```
 */
export class RandomForestOp extends SupervisedOp {
  static override opName = 'random_forest'
  static override modelClass = versioned(RandomForestClassifier, VersionType.MAJOR)
  static override modelParameters = new VersionedFieldDict(VersionType.MAJOR, { nEstimators: 25 })
}

/**
 * A new training pipeline: iris_full → PCA (FIT_PREDICT) → logistic (FIT). No input, no output;
 * save it to a store afterwards so the prediction pipeline can load the models.
 *
 * @example
 * ```ts
 * const training = irisTrainingPipeline()
 * await new SequentialRunner().run(training)
 * await training.save(store)
 * ```
 */
export function irisTrainingPipeline(name = 'train_iris'): Pipeline {
  return new Pipeline(
    [
      new Node(new IrisFullDatasetOp(), { outputNodes: ['x', 'y'] }),
      new Node(new PCAOp(MLMode.FIT_PREDICT), { inputNodes: ['x'], outputNodes: 'x_pca' }),
      new Node(new LogisticOp(MLMode.FIT), { inputNodes: ['x_pca', 'y'] }),
    ],
    name,
  )
}

/**
 * A new prediction pipeline: rows of 4 measurements → PCA (PREDICT) → logistic (PREDICT) → one class
 * index per row. Its input schema is `z.array(z.array(z.number()).length(4))`. Loaded only once the
 * training pipeline was run and saved to the store.
 *
 * @example
 * ```ts
 * const prediction = irisPredictionPipeline()
 * await prediction.load(store)
 * await new SequentialRunner().run(prediction, [[1, 2, 3, 4]]) // e.g. [1]
 * ```
 */
export function irisPredictionPipeline(name = 'pred_iris', options: { batch?: BatchOptions } = {}): Pipeline {
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
