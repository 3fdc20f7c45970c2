import { describe, expect, it } from 'vitest'
import { expectRoundTrip } from '../../test/helpers/round-trip.js'
import { loadIris } from '../data/iris.js'
import { KMeans } from './k-means.js'

describe('KMeans', () => {
  const { X } = loadIris()

  it('assigns each row to one of k clusters; setosa forms its own', () => {
    const km = new KMeans({ k: 3 })
    km.fit(X)
    const clusters = km.predict(X)
    expect(clusters).toHaveLength(150)
    expect(new Set(clusters)).toEqual(new Set([0, 1, 2]))
    expect(new Set(clusters.slice(0, 50)).size).toBe(1)
    expect(clusters.slice(50)).not.toContain(clusters[0])
  })

  it('trains the same centroids twice from the default seed', () => {
    const centroids = () => {
      const km = new KMeans({ k: 3 })
      km.fit(X)
      return km.toJSON().model
    }
    expect(centroids()).toEqual(centroids())
  })

  it('needs a k between 1 and the number of rows', () => {
    expect(() => new KMeans({ k: 0 }).fit(X)).toThrow(/KMeans needs params\.k/)
    expect(() => new KMeans({ k: 4 }).fit(X.slice(0, 3))).toThrow(RangeError)
  })

  it('survives a JSON round trip, in process and in a child process', async () => {
    const km = new KMeans({ k: 3, seed: 5 })
    km.fit(X)
    const json = km.toJSON()
    expect(json).toMatchObject({ kind: 'k-means', params: { k: 3, seed: 5 }, nFeatures: 4 })
    expect((json.model as { centroids: number[][] }).centroids).toHaveLength(3)
    await expectRoundTrip(KMeans, km, X)
  })
})
