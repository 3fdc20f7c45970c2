import { describe, expect, it } from 'vitest'
import { expectRoundTrip } from '../../test/helpers/round-trip.js'
import { loadIris } from '../data/iris.js'
import { PCA } from './pca.js'
import { ShapeError } from './shape-error.js'

describe('PCA', () => {
  const { X } = loadIris()

  it('projects rows onto nComponents centred columns', () => {
    const pca = new PCA({ nComponents: 2 })
    pca.fit(X)
    const Z = pca.predict(X)
    expect(Z).toHaveLength(150)
    for (const row of Z) expect(row).toHaveLength(2)
    const mean = Z.reduce((sum, row) => sum + row[0]!, 0) / Z.length
    expect(mean).toBeCloseTo(0, 9)
  })

  it('keeps every component by default', () => {
    const pca = new PCA()
    pca.fit(X)
    expect(pca.predict(X.slice(0, 3)).map((row) => row.length)).toEqual([4, 4, 4])
  })

  it('rejects more components than features', () => {
    expect(() => new PCA({ nComponents: 5 }).fit(X)).toThrow(ShapeError)
  })

  it('survives a JSON round trip, in process and in a child process', async () => {
    const pca = new PCA({ nComponents: 2 })
    pca.fit(X)
    expect(pca.toJSON()).toMatchObject({
      kind: 'pca',
      params: { nComponents: 2 },
      nFeatures: 4,
      model: { name: 'PCA' },
    })
    await expectRoundTrip(PCA, pca, X)
  })
})
