import { describe, expect, it } from 'vitest'
import { accuracy, expectRoundTrip } from '../../test/helpers/round-trip.js'
import { loadIris } from '../data/iris.js'
import { RandomForestClassifier } from './random-forest-classifier.js'

describe('RandomForestClassifier', () => {
  const { X, y } = loadIris()

  it('classifies iris with training accuracy > 0.9', () => {
    const forest = new RandomForestClassifier({ nEstimators: 25 })
    forest.fit(X, y)
    const predicted = forest.predict(X)
    expect(predicted).toHaveLength(150)
    expect(accuracy(predicted, y)).toBeGreaterThan(0.9)
  })

  it('trains the same forest twice from the same seed', () => {
    const fitted = () => {
      const forest = new RandomForestClassifier({ nEstimators: 5, seed: 7 })
      forest.fit(X, y)
      return JSON.stringify(forest.toJSON())
    }
    expect(fitted()).toBe(fitted())
  })

  it('survives a JSON round trip, in process and in a child process', async () => {
    const forest = new RandomForestClassifier({ nEstimators: 10 })
    forest.fit(X, y)
    expect(forest.toJSON()).toMatchObject({
      kind: 'random-forest-classifier',
      model: { name: 'RFClassifier' },
    })
    await expectRoundTrip(RandomForestClassifier, forest, X)
  })
})
