import { expect } from 'vitest'
import type { ModelAdapter, ModelAdapterClass } from '../../src/index.js'
import { predictInChild } from './predict-in-child.js'

/**
 * Asserts that `adapter`'s JSON text restores, in this process and in a child process running the
 * built package, to a model with exactly the same predictions on X.
 */
export async function expectRoundTrip(Adapter: ModelAdapterClass<any>, adapter: ModelAdapter, X: number[][]) {
  const expected = adapter.predict(X)
  const text = JSON.stringify(adapter.toJSON())
  expect(Adapter.fromJSON(JSON.parse(text)).predict(X)).toEqual(expected)
  expect(await predictInChild(JSON.parse(text), X)).toEqual(expected)
}

/** Share of predictions equal to the labels. */
export function accuracy(predicted: number[], labels: number[]): number {
  return predicted.filter((p, i) => p === labels[i]).length / labels.length
}

/** A small exact linear data set: y = 2·a − b + 1 on a 5 × 5 grid. */
export function linearData(): { X: number[][]; y: number[] } {
  const X = Array.from({ length: 25 }, (_, i) => [i % 5, Math.floor(i / 5)])
  return { X, y: X.map(([a, b]) => 2 * a! - b! + 1) }
}
