import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  BaseOp,
  ChariotsError,
  FileSaver,
  MLMode,
  Node,
  OpStore,
  Pipeline,
  type Progress,
  ReservedNodes,
  SequentialRunner,
  VersionedFieldDict,
  VersionType,
  withProgressReporter,
} from '@chariots/core'
import * as tf from '@tensorflow/tfjs'
import { afterEach, describe, expect, it } from 'vitest'
import { TFJSOp } from '../src/index.js'

const IN = ReservedNodes.pipelineInput
const OUT = ReservedNodes.pipelineOutput
const EPOCHS = 300

/** x in 0..9 as rows, and y = x + 1. */
class AddOneDataOp extends BaseOp {
  static override opName = 'add_one_data'
  execute(): [number[][], number[]] {
    const xs = Array.from({ length: 10 }, (_, x) => [x])
    return [xs, xs.map(([x]) => x! + 1)]
  }
}

/** The Python original's Keras test: one dense unit learns y = x + 1. Seeded, full batch, no shuffle. */
class AddOneModelOp extends TFJSOp {
  static override opName = 'add_one_model'
  static override fitParams = new VersionedFieldDict(VersionType.MAJOR, {
    epochs: EPOCHS,
    batchSize: 10,
    shuffle: false,
  })
  initModel(): tf.LayersModel {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          units: 1,
          inputShape: [1],
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
          biasInitializer: tf.initializers.zeros(),
        }),
      ],
    })
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' })
    return model
  }
}

function trainingPipeline(): Pipeline {
  return new Pipeline(
    [
      new Node(new AddOneDataOp(), { outputNodes: ['x', 'y'] }),
      new Node(new AddOneModelOp(MLMode.FIT), { inputNodes: ['x', 'y'] }),
    ],
    'train_add_one',
  )
}

function predictionPipeline(): Pipeline {
  return new Pipeline(
    [new Node(new AddOneModelOp(MLMode.PREDICT), { inputNodes: [IN], outputNodes: OUT })],
    'predict_add_one',
  )
}

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

async function freshStore(root: string): Promise<OpStore> {
  const store = new OpStore(new FileSaver(root))
  await store.reload()
  return store
}

/** Trains in a pipeline (collecting progress), saves, loads the PREDICT pipeline from a fresh store, predicts 5. */
async function trainSaveAndPredictFive(): Promise<{ prediction: number[][]; progress: Progress[] }> {
  const root = await mkdtemp(join(tmpdir(), 'chariots-tfjs-op-'))
  dirs.push(root)
  const runner = new SequentialRunner()
  const training = trainingPipeline()
  const progress: Progress[] = []
  await withProgressReporter(
    (p) => progress.push(p),
    () => runner.run(training),
  )
  await training.save(await freshStore(root))

  const prediction = predictionPipeline()
  expect(prediction.isLoaded).toBe(false)
  await prediction.load(await freshStore(root))
  expect(prediction.isLoaded).toBe(true)
  return { prediction: (await runner.run(prediction, [[5]])) as number[][], progress }
}

describe('TFJSOp', () => {
  it('learns y = x + 1 in a pipeline, saves, and a loaded PREDICT pipeline maps 5 to about 6, repeatably', async () => {
    const first = await trainSaveAndPredictFive()
    expect(first.prediction).toHaveLength(1)
    expect(first.prediction[0]).toHaveLength(1)
    const five = first.prediction[0]![0]!
    expect(five).toBeGreaterThan(5.5)
    expect(five).toBeLessThan(6.5)
    expect(JSON.parse(JSON.stringify(first.prediction))).toStrictEqual(first.prediction) // plain arrays

    const second = await trainSaveAndPredictFive()
    expect(second.prediction).toStrictEqual(first.prediction)
  })

  it('reports progress once per epoch, ending at 1', async () => {
    const { progress } = await trainSaveAndPredictFive()
    expect(progress).toHaveLength(EPOCHS)
    expect(progress[0]).toBe(1 / EPOCHS)
    expect(progress.at(-1)).toBe(1)
    expect(progress.every((p, i) => i === 0 || (p as number) > (progress[i - 1] as number))).toBe(true)
  })

  it('rejects rows of the wrong width with INVALID_INPUT naming both shapes', async () => {
    const op = new AddOneModelOp(MLMode.FIT_PREDICT)
    await op.execute([[1], [2]], [2, 3])
    const error = (() => {
      try {
        op.predict([[1, 2]])
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(ChariotsError)
    expect((error as ChariotsError).code).toBe('INVALID_INPUT')
    expect((error as ChariotsError).message).toBe(
      "op 'add_one_model' expects X as a non-empty array of rows of 1 finite numbers, got a row of 2 at index 0",
    )
    await expect(new AddOneModelOp(MLMode.FIT).execute([[1], [2]], [2])).rejects.toThrow(
      'got 2 rows of X and 1 values of y',
    )
    await expect(new AddOneModelOp(MLMode.FIT).execute([], [])).rejects.toThrow('got an empty array')
    await expect(new AddOneModelOp(MLMode.FIT).execute([[1], ['a']], [1, 2])).rejects.toThrow(
      'got a at row 1, column 0',
    )
  })

  it('takes the default fit options for entries fitParams leave out (one epoch each would be TF.js default)', async () => {
    class DefaultsOp extends AddOneModelOp {
      static override opName = 'defaults'
      static override fitParams = new VersionedFieldDict(VersionType.MAJOR, { batchSize: 10 })
    }
    const progress: Progress[] = []
    await withProgressReporter(
      (p) => progress.push(p),
      () => new DefaultsOp(MLMode.FIT).execute([[1], [2]], [2, 3]),
    )
    expect(progress).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1])
  })
})
