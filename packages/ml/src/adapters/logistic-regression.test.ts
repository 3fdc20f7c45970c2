import { describe, expect, it } from 'vitest'
import { accuracy, expectRoundTrip } from '../../test/helpers/round-trip.js'
import { loadIris } from '../data/iris.js'
import { LogisticRegression } from './logistic-regression.js'
import { ShapeError } from './shape-error.js'

describe('LogisticRegression', () => {
  const { X, y } = loadIris()
  const params = { numSteps: 1000, learningRate: 5e-3 }

  it('classifies iris with training accuracy > 0.8', () => {
    const model = new LogisticRegression(params)
    model.fit(X, y)
    const predicted = model.predict(X)
    expect(predicted).toHaveLength(150)
    expect(accuracy(predicted, y)).toBeGreaterThan(0.8)
  })

  it('needs y of class indices, one per row', () => {
    const model = new LogisticRegression(params)
    expect(() => model.fit(X)).toThrow(ShapeError)
    expect(() => model.fit(X, y.slice(1))).toThrow(
      /expects y as an array of 150 numbers.*got an array of 149/,
    )
    expect(() =>
      model.fit(
        X,
        y.map((c) => c + 0.5),
      ),
    ).toThrow(/class indices 0\.\.n-1, got 0\.5 at index 0/)
    expect(() =>
      model.fit(
        X,
        y.map((c) => c + 1),
      ),
    ).toThrow(/without class 0/)
  })

  it('survives a JSON round trip, in process and in a child process', async () => {
    const model = new LogisticRegression(params)
    model.fit(X, y)
    expect(model.toJSON()).toMatchObject({
      kind: 'logistic-regression',
      model: { name: 'LogisticRegression' },
    })
    await expectRoundTrip(LogisticRegression, model, X)
  })
})
