import { CSVSerializer, DataSavingNode, Node, Pipeline } from '@chariots/core'
import { DownloadIrisOp } from '../ops/download-iris-op.js'

/** Writes the iris data set to `/data/iris.csv` in the app's store. */
export function downloadIris(): Pipeline {
  return new Pipeline(
    [
      new Node(new DownloadIrisOp(), { outputNodes: 'rows' }),
      new DataSavingNode({ serializer: new CSVSerializer(), path: 'iris.csv', inputNodes: ['rows'] }),
    ],
    'download_iris',
  )
}
