import { ChariotsError, FileSaver, OpStore, SequentialRunner, VersionError } from '@chariots/core'
import { describe, expect, it } from 'vitest'
import { loadIris } from '../src/index.js'
import {
  forestPipeline,
  pcaTrainingPipeline,
  predictionPipeline,
  trainingPipeline,
} from './fixtures/iris-ops.js'
import { useTempDirs } from './helpers/temp-dirs.js'

const tempDir = useTempDirs()
const runner = new SequentialRunner()

/** A new OpStore object on the folder, with the metadata as saved there. */
async function freshStore(root: string): Promise<OpStore> {
  const store = new OpStore(new FileSaver(root))
  await store.reload()
  return store
}

async function trainAndSave(root: string): Promise<void> {
  const training = trainingPipeline()
  expect(training.isLoaded).toBe(true) // a training pipeline needs no saved state
  await runner.run(training)
  await training.save(await freshStore(root))
}

describe('iris: PCA (2 components) then logistic regression', () => {
  it('is not loaded before a training pipeline was run and saved', async () => {
    const root = await tempDir()
    const prediction = predictionPipeline()
    expect(prediction.isLoaded).toBe(false)
    await prediction.load(await freshStore(root))
    expect(prediction.isLoaded).toBe(false)
    expect(prediction.notLoadedReason).toContain("node 'pca'")
  })

  it('trains and saves; the prediction pipeline loaded into a fresh store predicts a class for [[1, 2, 3, 4]]', async () => {
    const root = await tempDir()
    await trainAndSave(root)
    const prediction = predictionPipeline()
    await prediction.load(await freshStore(root))
    expect(prediction.isLoaded).toBe(true)
    const [label, ...rest] = (await runner.run(prediction, [[1, 2, 3, 4]])) as number[]
    expect(rest).toEqual([])
    expect(Number.isInteger(label)).toBe(true)
    expect([0, 1, 2]).toContain(label)

    // And on iris itself it is a real classifier (about 0.81: the no-intercept model is weak, but far above 1/3).
    const { X, y } = loadIris()
    const predicted = (await runner.run(prediction, X)) as number[]
    expect(predicted.filter((p, i) => p === y[i]).length / y.length).toBeGreaterThan(0.75)
  })

  it('refuses to load after PCA alone was retrained: VersionError naming both ops', async () => {
    const root = await tempDir()
    await trainAndSave(root)
    const retrain = pcaTrainingPipeline()
    await runner.run(retrain)
    await retrain.save(await freshStore(root))

    const prediction = predictionPipeline()
    const error = await prediction.load(await freshStore(root)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(VersionError)
    expect((error as VersionError).message).toMatch(/'logistic'.*'pca'/)
    expect(prediction.isLoaded).toBe(false)

    // Retraining the whole chain makes it loadable again.
    await trainAndSave(root)
    const again = predictionPipeline()
    await again.load(await freshStore(root))
    expect(again.isLoaded).toBe(true)
  })

  it('rejects rows of the wrong width with INVALID_INPUT naming the expected and actual width', async () => {
    const root = await tempDir()
    await trainAndSave(root)
    const prediction = predictionPipeline()
    await prediction.load(await freshStore(root))
    const error = await runner.run(prediction, [[1, 2, 3]]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChariotsError)
    expect((error as ChariotsError).code).toBe('INVALID_INPUT')
    expect((error as ChariotsError).message).toBe(
      "op 'pca': PCA.predict expects rows of 4 numbers, got a row of 3 at index 0",
    )
    expect((error as ChariotsError).details).toEqual({
      expected: 'rows of 4 numbers',
      actual: 'a row of 3 at index 0',
    })
  })
})

describe('iris: random forest (25 trees)', () => {
  it('reaches a training accuracy above 0.9', async () => {
    const { y } = loadIris()
    const predicted = (await runner.run(forestPipeline())) as number[]
    expect(predicted).toHaveLength(150)
    const accuracy = predicted.filter((p, i) => p === y[i]).length / y.length
    expect(accuracy).toBeGreaterThan(0.9)
  })
})
