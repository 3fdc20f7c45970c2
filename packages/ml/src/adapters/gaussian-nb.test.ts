import { describe, expect, it } from 'vitest'
import { accuracy, expectRoundTrip } from '../../test/helpers/round-trip.js'
import { loadIris } from '../data/iris.js'
import { GaussianNB } from './gaussian-nb.js'

describe('GaussianNB', () => {
  const { X, y } = loadIris()

  it('classifies iris with training accuracy > 0.9', () => {
    const nb = new GaussianNB()
    nb.fit(X, y)
    const predicted = nb.predict(X)
    expect(predicted).toHaveLength(150)
    expect(accuracy(predicted, y)).toBeGreaterThan(0.9)
  })

  it('answers a class for any batch size and for rows far from the training data', () => {
    const nb = new GaussianNB()
    nb.fit(X, y)
    // ml-naivebayes itself throws on a batch of features + 1 = 5 rows and answers -1 far away.
    expect(nb.predict(X.slice(0, 5))).toEqual([0, 0, 0, 0, 0])
    expect(nb.predict([[100, 100, 100, 100]])[0]).toBeOneOf([0, 1, 2])
  })

  it('survives a JSON round trip, in process and in a child process', async () => {
    const nb = new GaussianNB()
    nb.fit(X, y)
    expect(nb.toJSON()).toMatchObject({ kind: 'gaussian-nb', model: { modelName: 'NaiveBayes' } })
    await expectRoundTrip(GaussianNB, nb, X)
  })
})
