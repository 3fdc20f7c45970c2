/**
 * Thrown when an adapter gets data of the wrong shape: X that is not a non-empty array of equal-length
 * numeric rows, a `y` whose length differs from X, labels that are not class indices, or JSON that
 * `fromJSON` cannot read. Callers branch on it (a server answers 400), hence a subclass.
 *
 * @example
 * ```ts
 * import { PCA, ShapeError } from '@chariots/ml'
 * const pca = new PCA({ nComponents: 1 })
 * pca.fit([[1, 2], [3, 4], [5, 7]])
 * try {
 *   pca.predict([[1, 2, 3]])
 * } catch (err) {
 *   if (err instanceof ShapeError) console.log(err.code, err.expected, err.actual)
 *   // INVALID_INPUT rows of 2 numbers a row of 3 at index 0
 * }
 * ```
 */
export class ShapeError extends Error {
  override readonly name = 'ShapeError'
  /** Same code as core's `ChariotsError` uses for bad input, so the server maps both alike. */
  readonly code = 'INVALID_INPUT' as const
  /** What was expected, e.g. `rows of 4 numbers`. */
  readonly expected: string
  /** What was received, e.g. `a row of 3 at index 2`. */
  readonly actual: string

  /**
   * @param where - the call that rejected the input, e.g. `PCA.predict`
   * @param expected - the expected shape, in words
   * @param actual - the shape received, in words
   */
  constructor(where: string, expected: string, actual: string, options?: { cause?: unknown }) {
    super(`${where} expects ${expected}, got ${actual}`, options)
    this.expected = expected
    this.actual = actual
  }

  /** A plain object for JSON bodies and logs. */
  toJSON(): { name: string; code: 'INVALID_INPUT'; message: string; expected: string; actual: string } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      expected: this.expected,
      actual: this.actual,
    }
  }
}
