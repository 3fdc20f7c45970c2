import { ChariotsError } from '@chariots/core'
import { describe, expect, it } from 'vitest'
import { loadIris } from '../data/iris.js'
import type { ModelAdapter } from './model-adapter.js'
import { modelAdapters } from './model-adapters.js'
import { ShapeError } from './shape-error.js'

const { X, y } = loadIris()
const paramsByKind: Partial<Record<keyof typeof modelAdapters, object>> = {
  'k-means': { k: 3 },
  'logistic-regression': { numSteps: 50 },
  'random-forest-classifier': { nEstimators: 3 },
  'random-forest-regressor': { nEstimators: 3 },
}

describe.each(Object.entries(modelAdapters))('%s adapter', (kind, Adapter) => {
  const make = (): ModelAdapter =>
    new Adapter((paramsByKind[kind as keyof typeof modelAdapters] ?? {}) as never)
  const fitted = (): ModelAdapter => {
    const model = make()
    model.fit(X, y)
    return model
  }

  it('reports its kind', () => {
    expect(make().kind).toBe(kind)
    expect(Adapter.kind).toBe(kind)
  })

  it('refuses to predict or export before fitting, naming itself and the fix', () => {
    const name = Adapter.name
    expect(() => make().predict(X)).toThrow(`${name}.predict: ${name} is not fitted; call fit first`)
    expect(() => make().toJSON()).toThrow(`or load a fitted one with ${name}.fromJSON(json)`)
    const error = (() => {
      try {
        make().predict(X)
      } catch (err) {
        return err
      }
    })()
    expect(error).toBeInstanceOf(ChariotsError)
    expect(error).toMatchObject({ code: 'MODEL_NOT_FITTED', details: { adapter: name, method: 'predict' } })
  })

  it('rejects X that is not a non-empty array of equal-length numeric rows', () => {
    const model = make()
    expect(() => model.fit([], y)).toThrow(
      `${Adapter.name}.fit expects a non-empty array of rows, got an empty array`,
    )
    expect(() => model.fit(undefined as never, y)).toThrow(ShapeError)
    expect(() => model.fit([[1, 2], [3]], [0, 1])).toThrow('got a row of 1 at index 1')
    expect(() =>
      model.fit(
        [
          [1, 2],
          [3, Number.NaN],
        ],
        [0, 1],
      ),
    ).toThrow('got the number NaN at row 1, column 1')
  })

  it('rejects rows of the wrong width at predict, with a ShapeError naming both shapes', () => {
    const model = fitted()
    const rows = [X[0]!, X[1]!, [1, 2, 3]]
    expect(() => model.predict(rows)).toThrow(
      `${Adapter.name}.predict expects rows of 4 numbers, got a row of 3 at index 2`,
    )
    const error = (() => {
      try {
        model.predict(rows)
      } catch (err) {
        return err
      }
    })()
    expect(error).toBeInstanceOf(ShapeError)
    expect(error).toMatchObject({
      code: 'INVALID_INPUT',
      expected: 'rows of 4 numbers',
      actual: 'a row of 3 at index 2',
    })
  })

  it('rejects JSON of another kind or shape', () => {
    const other = kind === 'pca' ? modelAdapters.knn : modelAdapters.pca
    const foreign = new other({})
    foreign.fit(X, y)
    expect(() => Adapter.fromJSON(foreign.toJSON())).toThrow(
      `${Adapter.name}.fromJSON expects the JSON of a fitted`,
    )
    expect(() => Adapter.fromJSON('nope')).toThrow(ShapeError)
    expect(() => Adapter.fromJSON({ ...(fitted().toJSON() as object), model: { broken: true } })).toThrow(
      ShapeError,
    )
  })
})
