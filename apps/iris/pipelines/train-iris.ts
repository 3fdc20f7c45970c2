import {
  CSVSerializer,
  DataLoadingNode,
  MLMode,
  Node,
  Pipeline,
  PipelineCallback,
  reportProgress,
} from '@chariots/core'
import { IrisForestOp } from '../ops/iris-forest-op.js'
import { IrisPCAOp } from '../ops/iris-pca-op.js'
import { XYSplitOp } from '../ops/xy-split-op.js'

/**
 * Reports the share of nodes done as the job's progress (what `chariots call --wait` draws as a
 * bar); outside a worker reporting does nothing.
 */
export class NodeProgressCallback extends PipelineCallback {
  override afterNodeExecution(pipeline: Pipeline, node: Node): void {
    reportProgress((pipeline.nodes.indexOf(node) + 1) / pipeline.nodes.length)
  }
}

/**
 * Trains PCA (FIT_PREDICT) then the random forest (FIT) on `/data/iris.csv`. Save it afterwards
 * (`POST /pipelines/train_iris/save`) so the prediction pipeline can load the models.
 * `train_iris_async` is the same training, always run in a worker (which saves it itself).
 */
export function trainIris(name = 'train_iris', useWorker = false): Pipeline {
  return new Pipeline(
    [
      new DataLoadingNode({ serializer: new CSVSerializer(), path: 'iris.csv', outputNodes: 'rows' }),
      new Node(new XYSplitOp(), { inputNodes: ['rows'], outputNodes: ['X', 'y'] }),
      new Node(new IrisPCAOp(MLMode.FIT_PREDICT), { inputNodes: ['X'], outputNodes: 'x_pca' }),
      new Node(new IrisForestOp(MLMode.FIT), { inputNodes: ['x_pca', 'y'] }),
    ],
    name,
    { useWorker, callbacks: [new NodeProgressCallback()] },
  )
}
