import { CSVSerializer, DataLoadingNode, MLMode, Node, Pipeline } from '@chariots/core'
import { IrisForestOp } from '../ops/iris-forest-op.js'
import { IrisPCAOp } from '../ops/iris-pca-op.js'
import { XYSplitOp } from '../ops/xy-split-op.js'

/**
 * Trains PCA (FIT_PREDICT) then the random forest (FIT) on `/data/iris.csv`. Save it afterwards
 * (`POST /pipelines/train_iris/save`) so the prediction pipeline can load the models.
 * `train_iris_async` is the same training, always run in a worker.
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
    { useWorker },
  )
}
