import { describe, expect, it } from 'vitest'
import { loadIris } from './iris.js'

describe('loadIris', () => {
  it('gives 150 rows of 4 numbers and class indices matching the class names', () => {
    const { X, y, classes } = loadIris()
    expect(X).toHaveLength(150)
    expect(X.every((row) => row.length === 4)).toBe(true)
    expect(classes).toEqual(['setosa', 'versicolor', 'virginica'])
    expect([y[0], y[50], y[149]]).toEqual([0, 1, 2])
  })

  it('returns a fresh copy each call', () => {
    const first = loadIris()
    first.X[0]![0] = -1
    expect(loadIris().X[0]![0]).toBe(5.1)
  })
})
