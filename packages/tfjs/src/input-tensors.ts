import { ChariotsError, ErrorCode } from '@chariots/core'
import * as tf from '@tensorflow/tfjs'

type Shape = readonly (number | null)[] | undefined

/**
 * The model's inputs as tensors: X is rows for a model with one input, or a list of arrays of
 * rows, one per input, for a multi-input model (`tf.model({ inputs: [a, b] })`), as the Python
 * original passes lists of arrays to Keras. Every array is checked against its input's width.
 */
export function inputTensors(
  opName: string,
  X: unknown,
  inputs: readonly tf.SymbolicTensor[],
): tf.Tensor2D[] {
  if (inputs.length <= 1) return [rowsTensor(opName, X, 'X', inputs[0]?.shape)]
  if (
    !Array.isArray(X) ||
    X.length !== inputs.length ||
    !X.every((x) => Array.isArray(x) && x.every(Array.isArray))
  ) {
    const expected = `X as a list of ${inputs.length} arrays of rows, one per model input`
    const actual = Array.isArray(X)
      ? `a list of ${X.length} that is not ${inputs.length} arrays of rows`
      : typeof X
    throw new ChariotsError(
      ErrorCode.INVALID_INPUT,
      `op '${opName}' has a model with ${inputs.length} inputs and expects ${expected}, got ${actual}`,
      {
        details: { expected, actual },
      },
    )
  }
  const tensors: tf.Tensor2D[] = []
  try {
    for (const [i, rows] of X.entries()) tensors.push(rowsTensor(opName, rows, `X[${i}]`, inputs[i]!.shape))
  } catch (err) {
    for (const t of tensors) t.dispose()
    throw err
  }
  return tensors
}

/** Checks rows of finite numbers, as wide as the model's layer when it says (shape [null, width]). */
export function rowsTensor(opName: string, rows: unknown, what: string, shape: Shape): tf.Tensor2D {
  const expectedWidth = shape?.length === 2 && typeof shape[1] === 'number' ? shape[1] : undefined
  const expected = `${what} as a non-empty array of rows of ${expectedWidth ?? 'n'} finite numbers`
  const fail = (actual: string): never => {
    throw new ChariotsError(ErrorCode.INVALID_INPUT, `op '${opName}' expects ${expected}, got ${actual}`, {
      details: { expected, actual },
    })
  }
  if (!Array.isArray(rows) || rows.length === 0) {
    return fail(Array.isArray(rows) ? 'an empty array' : `${typeof rows}`)
  }
  const width = expectedWidth ?? (Array.isArray(rows[0]) ? rows[0].length : 0)
  rows.forEach((row: unknown, i) => {
    if (!Array.isArray(row)) fail(`a ${typeof row} at index ${i}`)
    const r = row as unknown[]
    if (r.length !== width || width === 0) fail(`a row of ${r.length} at index ${i}`)
    const bad = r.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v))
    if (bad >= 0) fail(`${String(r[bad])} at row ${i}, column ${bad}`)
  })
  return tf.tensor2d(rows as number[][])
}
