import { describe, expect, it } from 'vitest'
import { accuracy, expectRoundTrip } from '../../test/helpers/round-trip.js'
import { loadIris } from '../data/iris.js'
import { DecisionTreeClassifier } from './decision-tree-classifier.js'

describe('DecisionTreeClassifier', () => {
  const { X, y } = loadIris()

  it('classifies iris with training accuracy > 0.9', () => {
    const tree = new DecisionTreeClassifier()
    tree.fit(X, y)
    const predicted = tree.predict(X)
    expect(predicted).toHaveLength(150)
    expect(accuracy(predicted, y)).toBeGreaterThan(0.9)
  })

  it('survives a JSON round trip, in process and in a child process', async () => {
    const tree = new DecisionTreeClassifier({ maxDepth: 4 })
    tree.fit(X, y)
    expect(tree.toJSON()).toMatchObject({ kind: 'decision-tree-classifier', model: { name: 'DTClassifier' } })
    await expectRoundTrip(DecisionTreeClassifier, tree, X)
  })
})
