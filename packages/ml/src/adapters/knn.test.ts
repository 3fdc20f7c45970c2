import { describe, expect, it } from 'vitest'
import { accuracy, expectRoundTrip } from '../../test/helpers/round-trip.js'
import { loadIris } from '../data/iris.js'
import { KNN } from './knn.js'

describe('KNN', () => {
  const { X, y } = loadIris()

  it('classifies iris with training accuracy > 0.9', () => {
    const knn = new KNN({ k: 5 })
    knn.fit(X, y)
    const predicted = knn.predict(X)
    expect(predicted).toHaveLength(150)
    expect(accuracy(predicted, y)).toBeGreaterThan(0.9)
  })

  it('survives a JSON round trip, in process and in a child process', async () => {
    const knn = new KNN()
    knn.fit(X, y)
    expect(knn.toJSON()).toMatchObject({ kind: 'knn', model: { name: 'KNN' } })
    await expectRoundTrip(KNN, knn, X)
  })
})
