import { describe, expect, it } from 'vitest'
import { expectRoundTrip, linearData } from '../../test/helpers/round-trip.js'
import { MultivariateLinearRegression } from './multivariate-linear-regression.js'
import { ShapeError } from './shape-error.js'

describe('MultivariateLinearRegression', () => {
  const { X, y } = linearData()
  const Y = X.map(([a, b], i) => [y[i]!, a! + b!])

  it('recovers an exact linear relation, number[] in and out for one output', () => {
    const ols = new MultivariateLinearRegression()
    ols.fit(X, y)
    const predicted = ols.predict([[10, 3]]) as number[]
    expect(predicted).toHaveLength(1)
    expect(predicted[0]).toBeCloseTo(18, 9)
  })

  it('predicts rows of outputs for a number[][] y with several columns', () => {
    const ols = new MultivariateLinearRegression()
    ols.fit(X, Y)
    const [row] = ols.predict([[10, 3]]) as number[][]
    expect(row).toHaveLength(2)
    expect(row![0]).toBeCloseTo(18, 9)
    expect(row![1]).toBeCloseTo(13, 9)
  })

  it('rejects a y of the wrong length', () => {
    expect(() => new MultivariateLinearRegression().fit(X, Y.slice(2))).toThrow(ShapeError)
  })

  it('survives a JSON round trip, in process and in a child process', async () => {
    for (const targets of [y, Y]) {
      const ols = new MultivariateLinearRegression({ intercept: true })
      ols.fit(X, targets)
      expect(ols.toJSON()).toMatchObject({ model: { name: 'multivariateLinearRegression' } })
      await expectRoundTrip(MultivariateLinearRegression, ols, X)
      // A restored model writes the same JSON back (the library's own toJSON throws there).
      const json = JSON.parse(JSON.stringify(ols.toJSON()))
      expect(MultivariateLinearRegression.fromJSON(json).toJSON()).toEqual(json)
    }
  })
})
