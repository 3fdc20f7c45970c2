import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ChariotsError,
  FileSaver,
  MLMode,
  Node,
  OpStore,
  Pipeline,
  ReservedNodes,
  SequentialRunner,
} from '@chariots/core'
import { loadIris } from '@chariots/ml'
import { afterEach, describe, expect, it } from 'vitest'
import {
  IrisFullDatasetOp,
  IrisXDatasetOp,
  irisPredictionPipeline,
  irisTrainingPipeline,
  LogisticOp,
  PCAOp,
  RandomForestOp,
} from './iris-ops.js'

const runner = new SequentialRunner()
const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

async function freshStore(root: string): Promise<OpStore> {
  const store = new OpStore(new FileSaver(root))
  await store.reload()
  return store
}

describe('iris ops', () => {
  it('give the data set as [X, y] and X alone', () => {
    const [X, y] = new IrisFullDatasetOp().execute()
    expect(X).toHaveLength(150)
    expect(X[0]).toHaveLength(4)
    expect(new Set(y)).toEqual(new Set([0, 1, 2]))
    expect(new IrisXDatasetOp().execute()).toEqual(X)
  })

  it('carry the op names the later tests use', () => {
    expect(new IrisFullDatasetOp().name).toBe('iris_full')
    expect(new IrisXDatasetOp().name).toBe('iris_x')
    expect(new PCAOp(MLMode.FIT).name).toBe('pca')
    expect(new LogisticOp(MLMode.FIT).name).toBe('logistic')
    expect(new RandomForestOp(MLMode.FIT).name).toBe('random_forest')
  })

  it('train, save, and a prediction pipeline loaded into a fresh store predicts a class for [[1, 2, 3, 4]]', async () => {
    const root = await mkdtemp(join(tmpdir(), 'chariots-testing-iris-'))
    dirs.push(root)
    const prediction = irisPredictionPipeline()
    expect(prediction.name).toBe('pred_iris')
    expect(prediction.isLoaded).toBe(false)

    const training = irisTrainingPipeline()
    expect(training.name).toBe('train_iris')
    expect([...training.getPipelineVersions().keys()]).toEqual(['iris_full', 'pca', 'logistic'])
    await runner.run(training)
    await training.save(await freshStore(root))

    await prediction.load(await freshStore(root))
    expect(prediction.isLoaded).toBe(true)
    const [label] = (await runner.run(prediction, [[1, 2, 3, 4]])) as number[]
    expect([0, 1, 2]).toContain(label)
  })

  it('check the prediction input against the schema: rows of 4 numbers', async () => {
    const error = await runner.run(irisPredictionPipeline(), [[1, 2, 3]]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChariotsError)
    expect((error as ChariotsError).code).toBe('INVALID_INPUT')
    expect((error as ChariotsError).message).toContain(
      "pipeline 'pred_iris' input does not match its schema: [0]",
    )
  })

  it('build fresh ops on each call, under the name given', () => {
    const [a, b] = [irisTrainingPipeline('a'), irisTrainingPipeline('b')]
    expect(a.name).toBe('a')
    expect(a.nodes[1]!.op).not.toBe(b.nodes[1]!.op)
    expect(irisPredictionPipeline('p').nodes[0]!.op).not.toBe(irisPredictionPipeline().nodes[0]!.op)
  })

  it('random forest reaches a training accuracy above 0.9', async () => {
    const forest = new Pipeline(
      [
        new Node(new IrisFullDatasetOp(), { outputNodes: ['x', 'y'] }),
        new Node(new RandomForestOp(MLMode.FIT_PREDICT), {
          inputNodes: ['x', 'y'],
          outputNodes: ReservedNodes.pipelineOutput,
        }),
      ],
      'forest',
    )
    const predicted = (await runner.run(forest)) as number[]
    const { y } = loadIris()
    expect(predicted.filter((p, i) => p === y[i]).length / y.length).toBeGreaterThan(0.9)
  })
})
