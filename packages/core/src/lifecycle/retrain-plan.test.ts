import { describe, expect, it } from 'vitest'
import { MeanOp, ScaleOp } from '../../test/fixtures/ml-ops.js'
import { useTempDirs } from '../../test/fixtures/temp-dir.js'
import { ChariotsError, VersionError } from '../errors/chariots-error.js'
import { MLMode } from '../ops/ml-mode.js'
import { DataLoadingNode, DataSavingNode } from '../pipeline/data-nodes.js'
import { Node } from '../pipeline/node.js'
import { Pipeline } from '../pipeline/pipeline.js'
import { ReservedNodes } from '../pipeline/reserved-nodes.js'
import { JSONSerializer } from '../serializers/json-serializer.js'
import { PipelineHost } from './pipeline-host.js'

// Three levels, each model with its own training pipeline: a data file → 'mean' (the upstream
// model, in the role of a PCA) → 'scale' (the downstream model, in the role of a classifier).
const { pipelineInput: IN, pipelineOutput: OUT } = ReservedNodes
const numbers = () =>
  new DataLoadingNode({
    serializer: new JSONSerializer(),
    path: 'numbers.json',
    outputNodes: 'xs',
    name: 'numbers',
  })
const writeNumbers = () =>
  new Pipeline(
    [new DataSavingNode({ serializer: new JSONSerializer(), path: 'numbers.json', inputNodes: [IN] })],
    'write_numbers',
  )
const trainMean = () =>
  new Pipeline([numbers(), new Node(new MeanOp(MLMode.FIT), { inputNodes: ['xs'] })], 'train_mean')
const trainScale = () =>
  new Pipeline(
    [
      numbers(),
      new Node(new MeanOp(MLMode.PREDICT), { inputNodes: ['xs'], outputNodes: 'centered' }),
      new Node(new ScaleOp(MLMode.FIT), { inputNodes: ['centered'] }),
    ],
    'train_scale',
  )
const trainBoth = () =>
  new Pipeline(
    [
      numbers(),
      new Node(new MeanOp(MLMode.FIT_PREDICT), { inputNodes: ['xs'], outputNodes: 'centered' }),
      new Node(new ScaleOp(MLMode.FIT), { inputNodes: ['centered'] }),
    ],
    'train_both',
  )
const predict = () =>
  new Pipeline(
    [
      numbers(),
      new Node(new MeanOp(MLMode.PREDICT), { inputNodes: ['xs'], outputNodes: 'centered' }),
      new Node(new ScaleOp(MLMode.PREDICT), { inputNodes: ['centered'], outputNodes: OUT }),
    ],
    'predict',
  )

const tempDir = useTempDirs('chariots-plan-')

async function threeLevelHost(extra: Pipeline[] = []) {
  const host = new PipelineHost([writeNumbers(), trainMean(), trainScale(), ...extra, predict()], {
    path: await tempDir(),
  })
  await host.ready()
  return host
}

/** Trains everything once on `xs`: the prediction pipeline loads. */
async function trainAll(host: PipelineHost, xs: number[]) {
  await host.run('write_numbers', xs)
  for (const name of ['train_mean', 'train_scale']) {
    await host.load(name)
    await host.run(name)
    await host.save(name)
  }
  expect((await host.load('predict')).loaded).toBe(true)
}

/** Whether the version rule lets the pipeline load now (what the plan's `loadable` must agree with). */
async function loads(host: PipelineHost, name: string): Promise<boolean> {
  try {
    return (await host.load(name)).loaded
  } catch (err) {
    if (err instanceof VersionError) return false
    throw err
  }
}

describe('planRetraining, on data → mean → scale with a training pipeline each', () => {
  it('names nothing once the prediction pipeline loads', async () => {
    const host = await threeLevelHost()
    await trainAll(host, [1, 2, 3, 4])
    const plan = await host.plan('predict')
    expect(plan).toMatchObject({ loadable: true, stale: [], retrain: [], steps: [], unplannable: [] })
  })

  it("after retraining the upstream model alone, names the downstream model's training pipeline", async () => {
    const host = await threeLevelHost()
    await trainAll(host, [1, 2, 3, 4])
    await host.run('train_mean')
    const { saved } = await host.save('train_mean')

    const plan = await host.plan('predict')
    expect(plan.loadable).toBe(false)
    expect(await loads(host, 'predict')).toBe(false)
    expect(plan.retrain).toEqual(['train_scale'])
    expect(plan.stale).toEqual([
      { node: 'scale', upstream: 'mean', trainedWith: expect.any(String), current: saved.mean!.version },
    ])
    expect(plan.steps[0]!.reason).toMatch(
      /^'scale' was trained on 'mean' [0-9a-f]{8}, which is now [0-9a-f]{8}$/,
    )
    const analysis = await host.analyze('predict')
    expect(analysis.links.find((l) => l.from === 'mean' && l.to === 'scale')?.status).toBe('stale')
    expect(analysis.links.find((l) => l.from === 'numbers' && l.to === 'mean')?.status).toBe('valid')
  })

  it('after the data file changes, names both training pipelines, upstream first', async () => {
    const host = await threeLevelHost()
    await trainAll(host, [1, 2, 3, 4])
    await host.run('write_numbers', [10, 20, 30])

    const plan = await host.plan('predict')
    expect(plan.loadable).toBe(false)
    expect(await loads(host, 'predict')).toBe(false)
    expect(plan.retrain).toEqual(['train_mean', 'train_scale'])
    expect(plan.stale.map((s) => [s.node, s.upstream])).toEqual([
      ['mean', 'numbers'],
      ['scale', 'numbers'],
    ])
  })

  it('running the plan makes the prediction pipeline loadable, and the new models serve', async () => {
    const host = await threeLevelHost()
    await trainAll(host, [1, 2, 3, 4])
    await host.run('write_numbers', [10, 20, 30])

    const { plan, load } = await host.runPlan('predict')
    expect(plan.retrain).toEqual(['train_mean', 'train_scale'])
    expect(load.loaded).toBe(true)
    expect((await host.plan('predict')).loadable).toBe(true)
    // mean 20, largest centered magnitude 10: (x - 20) / 10
    expect((await host.run('predict')).value).toEqual([-1, 0, 1])
  })

  it('prefers one pipeline that retrains both models over two', async () => {
    const host = await threeLevelHost([trainBoth()])
    await trainAll(host, [1, 2, 3, 4])
    await host.run('write_numbers', [10, 20, 30])
    const plan = await host.plan('predict')
    expect(plan.retrain).toEqual(['train_both'])
    expect(plan.steps[0]!.trains).toEqual(['mean', 'scale'])
  })

  it('on a fresh store, puts the pipeline that writes the missing data file first, and needs its input', async () => {
    const host = await threeLevelHost()
    const plan = await host.plan('predict')
    expect(plan.missing).toEqual([
      { node: 'mean', trainers: ['train_mean'] },
      { node: 'scale', trainers: ['train_scale'] },
    ])
    expect(plan.steps.map((s) => [s.pipeline, s.kind, s.needsInput])).toEqual([
      ['write_numbers', 'data', true],
      ['train_mean', 'train', false],
      ['train_scale', 'train', false],
    ])
    await expect(host.runPlan('predict')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining(`give each one as {"inputs": {"write_numbers": …}}`),
    })
    const { load } = await host.runPlan('predict', { inputs: { write_numbers: [2, 4, 6] } })
    expect(load.loaded).toBe(true)
    expect((await host.run('predict')).value).toEqual([-1, 0, 1])
  })

  it('names a node no pipeline trains, and refuses to run an incomplete plan', async () => {
    const host = new PipelineHost([writeNumbers(), trainMean(), predict()], { path: await tempDir() })
    await host.ready()
    await host.run('write_numbers', [1, 2, 3])
    const plan = await host.plan('predict')
    expect(plan.retrain).toEqual(['train_mean'])
    expect(plan.unplannable).toEqual([{ node: 'scale', reason: expect.stringContaining("trains 'scale'") }])
    const err = await host.runPlan('predict').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ChariotsError)
    expect(err).toMatchObject({ code: 'PLAN_INCOMPLETE' })
    expect((err as Error).message).toContain("add a training pipeline with a FIT node named 'scale'")
  })
})
