import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ErrorCode, FileSaver, Node, OpStore, Pipeline, PipelineCallback, Version } from '@chariots/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  CounterOp,
  HoldOp,
  IsOddOp,
  NeedsStateOp,
  OUT,
  single,
  ThrowingOp,
  TrainingHoldOp,
  tempDir,
  waitUntil,
  workerHost,
} from '../../test/fixtures/worker-app.js'
import type { JobContext } from '../job/job-types.js'
import { runPipelineJob } from './run-pipeline-job.js'

const ctx = (progress: unknown[] = []): JobContext => ({
  jobId: 'j',
  reportProgress: (p) => void progress.push(p),
})

describe('runPipelineJob', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeEach(async () => {
    dir = await tempDir()
  })
  afterEach(async () => {
    await dir.remove()
  })

  it('runs the pipeline and answers its value and each node version as a string', async () => {
    const app = workerHost(dir.path, [single(new IsOddOp(), 'is_odd')])
    const result = await runPipelineJob(app, 'is_odd', 3, ctx())
    expect(result.value).toBe(true)
    expect(Object.keys(result.versions)).toEqual(['isoddop'])
    expect(Version.parse(result.versions.isoddop!).major).toMatch(/^[0-9a-f]{40}$/)
  })

  it('answers null for a pipeline with no output', async () => {
    const counter = new Pipeline([new Node(new CounterOp())], 'count_only')
    const result = await runPipelineJob(workerHost(dir.path, [counter]), 'count_only', null, ctx())
    expect(result.value).toBeNull()
  })

  it('saves a pipeline with loadable ops, so the next job (or process) starts from its state', async () => {
    const pipeline = () => new Pipeline([new Node(new CounterOp(), { outputNodes: OUT })], 'counter')
    expect((await runPipelineJob(workerHost(dir.path, [pipeline()]), 'counter', null, ctx())).value).toBe(1)
    // a second app on the same folder: another process, with fresh op instances
    expect((await runPipelineJob(workerHost(dir.path, [pipeline()]), 'counter', null, ctx())).value).toBe(2)
    // Each job saved the state it changed: two states, in save order.
    const states = await new OpStore(new FileSaver(dir.path)).listStates('counterop')
    expect(states.map((r) => r.seq)).toEqual([1, 2])
  })

  it('does not write the store for a pipeline without loadable ops', async () => {
    await runPipelineJob(workerHost(dir.path, [single(new IsOddOp(), 'is_odd')]), 'is_odd', 1, ctx())
    expect(existsSync(join(dir.path, '_index'))).toBe(false)
  })

  it('reloads the store first: what another process saved is loaded', async () => {
    const app = workerHost(dir.path, [
      new Pipeline([new Node(new CounterOp(), { outputNodes: OUT })], 'counter'),
    ])
    await app.ready() // this host read the (empty) store at start-up…
    const other = workerHost(dir.path, [
      new Pipeline([new Node(new CounterOp(), { outputNodes: OUT })], 'counter'),
    ])
    await runPipelineJob(other, 'counter', null, ctx()) // …another process saves count 1
    expect((await runPipelineJob(app, 'counter', null, ctx())).value).toBe(2)
  })

  it('fails with PIPELINE_NOT_LOADED when an op needs saved state and none was saved', async () => {
    const app = workerHost(dir.path, [
      new Pipeline([new Node(new NeedsStateOp(), { outputNodes: OUT })], 'predict'),
    ])
    await expect(runPipelineJob(app, 'predict', null, ctx())).rejects.toMatchObject({
      code: ErrorCode.PIPELINE_NOT_LOADED,
    })
  })

  it("keeps the code of the app's errors and rethrows an op's error as is", async () => {
    const app = workerHost(dir.path, [single(new ThrowingOp(), 'throwing')])
    await expect(runPipelineJob(app, 'missing', 1, ctx())).rejects.toMatchObject({
      code: ErrorCode.PIPELINE_NOT_FOUND,
    })
    await expect(runPipelineJob(app, 'throwing', 1, ctx())).rejects.toMatchObject({
      code: ErrorCode.OP_FAILED,
      message: 'boom',
    })
  })

  it("runs with the app's run options (its default pipeline callbacks)", async () => {
    const seen: string[] = []
    class Recorder extends PipelineCallback {
      override afterExecution(pipeline: Pipeline, [input]: unknown[], output: unknown) {
        seen.push(`${pipeline.name}(${String(input)}) → ${String(output)}`)
      }
    }
    const app = workerHost(dir.path, [single(new IsOddOp(), 'is_odd')], { callbacks: [new Recorder()] })
    await runPipelineJob(app, 'is_odd', 2, ctx())
    expect(seen).toEqual(['is_odd(2) → false'])
  })

  it('sends progress to the job context, and waits for its async writes before answering', async () => {
    const hold = new HoldOp()
    const app = workerHost(dir.path, [single(hold, 'hold')])
    const writes: unknown[] = []
    const job = runPipelineJob(app, 'hold', 'a', {
      jobId: 'j',
      reportProgress: (p) => new Promise<void>((r) => setTimeout(() => r(void writes.push(p)), 20)),
    })
    await waitUntil(() => hold.held === 1)
    hold.release()
    await job
    expect(writes).toEqual([{ holding: 'a' }])
  })

  it('a reporter that answers something other than a promise is fine', async () => {
    const hold = new HoldOp()
    const app = workerHost(dir.path, [single(hold, 'hold')])
    const job = runPipelineJob(app, 'hold', 'a', {
      jobId: 'j',
      reportProgress: (() => true) as unknown as JobContext['reportProgress'],
    })
    await waitUntil(() => hold.held === 1)
    hold.release()
    await expect(job).resolves.toMatchObject({ value: 'a' })
  })

  it('a progress write that fails does not fail the job', async () => {
    const hold = new HoldOp()
    const app = workerHost(dir.path, [single(hold, 'hold')])
    const job = runPipelineJob(app, 'hold', 'a', {
      jobId: 'j',
      reportProgress: () => Promise.reject(new Error('redis down')),
    })
    await waitUntil(() => hold.held === 1)
    hold.release()
    await expect(job).resolves.toMatchObject({ value: 'a' })
  })

  it('runs jobs of a training pipeline one at a time; other pipelines still run meanwhile', async () => {
    const training = new TrainingHoldOp()
    const other = new HoldOp()
    const app = workerHost(dir.path, [single(training, 'train'), single(other, 'other')])
    const first = runPipelineJob(app, 'train', 'a', ctx())
    const second = runPipelineJob(app, 'train', 'b', ctx())
    const third = runPipelineJob(app, 'other', 'c', ctx())
    await waitUntil(() => training.hold.held === 1 && other.held === 1)
    await new Promise((r) => setTimeout(r, 20))
    expect(training.hold.held).toBe(1) // 'b' has not started: 'a' holds the pipeline until its save
    training.hold.release()
    await first
    await waitUntil(() => training.hold.held === 1)
    training.hold.release()
    other.release()
    await Promise.all([second, third])
    expect(training.hold.events).toEqual(['start a', 'end a', 'start b', 'end b'])
  })

  it('runs prediction jobs of one pipeline side by side', async () => {
    const hold = new HoldOp()
    const app = workerHost(dir.path, [single(hold, 'hold')])
    const jobs = [runPipelineJob(app, 'hold', 'a', ctx()), runPipelineJob(app, 'hold', 'b', ctx())]
    await waitUntil(() => hold.held === 2)
    hold.release()
    hold.release()
    expect((await Promise.all(jobs)).map((r) => r.value)).toEqual(['a', 'b'])
  })

  it('a failed job releases the pipeline for the next one', async () => {
    const failing = single(new ThrowingOp(), 'throwing')
    const app = workerHost(dir.path, [failing])
    await expect(runPipelineJob(app, 'throwing', 1, ctx())).rejects.toThrow('boom')
    await expect(runPipelineJob(app, 'throwing', 1, ctx())).rejects.toThrow('boom')
  })
})
