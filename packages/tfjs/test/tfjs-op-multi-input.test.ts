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
  ReservedNodes,
  SequentialRunner,
  VersionedFieldDict,
  VersionType,
} from '@chariots/core'
import * as tf from '@tensorflow/tfjs'
import { afterEach, describe, expect, it } from 'vitest'
import { TFJSOp } from '../src/index.js'

const { pipelineInput: IN, pipelineOutput: OUT } = ReservedNodes

/** The Python original's MultiDataSet: two inputs, a = i and b = -i, and y = i + 1. */
class MultiDataOp extends BaseOp {
  static override opName = 'multi_data'
  execute(): [number[][][], number[]] {
    const i = Array.from({ length: 10 }, (_, k) => k)
    return [[i.map((k) => [k]), i.map((k) => [-k])], i.map((k) => k + 1)]
  }
}

/** The original's MultiInputKeras: a dense tower per input, concatenated, then one dense unit. */
class MultiInputOp extends TFJSOp {
  static override opName = 'multi_input'
  static override fitParams = new VersionedFieldDict(VersionType.MAJOR, { epochs: 300, batchSize: 10 })
  initModel(): tf.LayersModel {
    const seeded = (seed: number) => ({
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      biasInitializer: tf.initializers.zeros(),
    })
    const a = tf.input({ shape: [1] })
    const b = tf.input({ shape: [1] })
    const towerA = tf.layers.dense({ units: 1, ...seeded(1) }).apply(a) as tf.SymbolicTensor
    const towerB = tf.layers.dense({ units: 1, ...seeded(2) }).apply(b) as tf.SymbolicTensor
    const joined = tf.layers.concatenate().apply([towerA, towerB]) as tf.SymbolicTensor
    const output = tf.layers.dense({ units: 1, ...seeded(3) }).apply(joined) as tf.SymbolicTensor
    const model = tf.model({ inputs: [a, b], outputs: output })
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' })
    return model
  }
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

describe('TFJSOp with a multi-input model', () => {
  it('trains on a list of arrays, saves, and a loaded PREDICT pipeline maps (5, -5) to about 6', async () => {
    const root = await mkdtemp(join(tmpdir(), 'chariots-tfjs-multi-'))
    dirs.push(root)
    const runner = new SequentialRunner()
    const training = new Pipeline(
      [
        new Node(new MultiDataOp(), { outputNodes: ['X', 'y'] }),
        new Node(new MultiInputOp(MLMode.FIT), { inputNodes: ['X', 'y'] }),
      ],
      'train_multi',
    )
    await runner.run(training)
    await training.save(await freshStore(root))

    const prediction = new Pipeline(
      [new Node(new MultiInputOp(MLMode.PREDICT), { inputNodes: [IN], outputNodes: OUT })],
      'predict_multi',
    )
    await prediction.load(await freshStore(root))
    expect(prediction.isLoaded).toBe(true)
    const out = (await runner.run(prediction, [[[5]], [[-5]]])) as number[][]
    expect(out).toHaveLength(1)
    expect(out[0]).toHaveLength(1)
    expect(out[0]![0]).toBeGreaterThan(5.5)
    expect(out[0]![0]).toBeLessThan(6.5)
  })

  it('refuses X that is not one array of rows per model input, naming the count', async () => {
    const op = new MultiInputOp(MLMode.FIT)
    const error = await op.execute([[1], [2]], [2, 3]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChariotsError)
    expect(error).toMatchObject({ code: 'INVALID_INPUT' })
    expect((error as ChariotsError).message).toBe(
      "op 'multi_input' has a model with 2 inputs and expects X as a list of 2 arrays of rows, one per model input, got a list of 2 that is not 2 arrays of rows",
    )
    await expect(op.execute([[[1]], [[1, 2]]], [2])).rejects.toThrow(
      "op 'multi_input' expects X[1] as a non-empty array of rows of 1 finite numbers, got a row of 2 at index 0",
    )
    await expect(op.execute([[[1], [2]], [[1]]], [2, 3])).rejects.toThrow(
      'got 2 and 1 rows of X and 2 values of y',
    )
  })
})
