import { describe, expect, it } from 'vitest'
import { expectRoundTrip, linearData } from '../../test/helpers/round-trip.js'
import { RandomForestRegressor } from './random-forest-regressor.js'

describe('RandomForestRegressor', () => {
  const { X, y } = linearData()

  it('predicts one number per row, near the training targets', () => {
    const forest = new RandomForestRegressor({ nEstimators: 20 })
    forest.fit(X, y)
    const predicted = forest.predict(X)
    expect(predicted).toHaveLength(X.length)
    const meanError = predicted.reduce((sum, p, i) => sum + Math.abs(p - y[i]!), 0) / y.length
    expect(meanError).toBeLessThan(1.5) // targets span -3..9
  })

  it('survives a JSON round trip, in process and in a child process', async () => {
    const forest = new RandomForestRegressor({ nEstimators: 10, selectionMethod: 'median' })
    forest.fit(X, y)
    expect(forest.toJSON()).toMatchObject({
      kind: 'random-forest-regressor',
      model: { name: 'RFRegression' },
    })
    await expectRoundTrip(RandomForestRegressor, forest, X)
  })
})
