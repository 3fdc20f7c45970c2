import { ShapeError } from './shape-error.js'

/** Describes a value in a few words for error messages. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 20))}`
  if (typeof value === 'number') return `the number ${value}`
  return `a value of type ${typeof value}`
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

function checkRow(where: string, row: unknown, index: number, width: number | undefined): number[] {
  const expected = width === undefined ? 'rows of numbers' : `rows of ${width} numbers`
  if (!Array.isArray(row)) throw new ShapeError(where, expected, `${describe(row)} at index ${index}`)
  if (row.length === 0) {
    throw new ShapeError(where, 'rows of at least 1 number', `an empty row at index ${index}`)
  }
  if (width !== undefined && row.length !== width) {
    throw new ShapeError(where, expected, `a row of ${row.length} at index ${index}`)
  }
  const bad = row.findIndex((v) => !isNumber(v))
  if (bad >= 0) {
    throw new ShapeError(where, 'finite numbers', `${describe(row[bad])} at row ${index}, column ${bad}`)
  }
  return row
}

/**
 * Checks that `X` is a non-empty array of equal-length rows of finite numbers, `width` long when given.
 * @returns the row width
 */
export function checkMatrix(where: string, X: unknown, width?: number): number {
  if (!Array.isArray(X) || X.length === 0) {
    const expected =
      width === undefined ? 'a non-empty array of rows' : `a non-empty array of rows of ${width}`
    throw new ShapeError(where, expected, Array.isArray(X) ? 'an empty array' : describe(X))
  }
  const first = checkRow(where, X[0], 0, width)
  for (let i = 1; i < X.length; i++) checkRow(where, X[i], i, first.length)
  return first.length
}

/** Checks that `y` holds one finite number per row of X. */
export function checkTargets(where: string, y: unknown, rows: number): number[] {
  const expected = `y as an array of ${rows} numbers (one per row of X)`
  if (!Array.isArray(y) || y.length !== rows) throw new ShapeError(where, expected, describe(y))
  const bad = y.findIndex((v) => !isNumber(v))
  if (bad >= 0) throw new ShapeError(where, expected, `${describe(y[bad])} at index ${bad}`)
  return y
}

/**
 * Checks that `y` holds one class index per row of X, and that the classes are 0..n-1 with none
 * missing: the ml.js classifiers index their per-class tables by label.
 */
export function checkLabels(where: string, y: unknown, rows: number): number[] {
  const labels = checkTargets(where, y, rows)
  const expected = 'y of class indices 0..n-1'
  const bad = labels.findIndex((v) => !Number.isInteger(v) || v < 0)
  if (bad >= 0) throw new ShapeError(where, expected, `${labels[bad]} at index ${bad}`)
  const seen = new Set(labels)
  for (let c = 0; c < seen.size; c++) {
    if (!seen.has(c)) throw new ShapeError(where, expected, `${seen.size} classes without class ${c}`)
  }
  return labels
}
