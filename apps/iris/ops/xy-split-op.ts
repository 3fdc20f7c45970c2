import { BaseOp, ChariotsError, VersionType, versioned } from '@chariots/core'
import type { IrisRow } from './download-iris-op.js'

/** Splits iris rows into features X and class indices y (the class order is versioned). */
export class XYSplitOp extends BaseOp {
  static override opName = 'xy_split'
  static classes = versioned(['setosa', 'versicolor', 'virginica'], VersionType.MAJOR)

  execute(rows: IrisRow[]): [number[][], number[]] {
    if (!Array.isArray(rows) || rows.length === 0) {
      throw new ChariotsError(
        'INVALID_INPUT',
        "xy_split expects the iris rows; run the 'download_iris' pipeline first",
      )
    }
    const classes = XYSplitOp.classes.value
    const X = rows.map((r) => [r.sepal_length, r.sepal_width, r.petal_length, r.petal_width])
    const y = rows.map((r) => classes.indexOf(r.species))
    return [X, y]
  }
}
