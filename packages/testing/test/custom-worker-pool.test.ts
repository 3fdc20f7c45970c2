/**
 * The workers guide: "If RQ does not suit your needs … subclass the BaseWorkerPool class". A pool
 * written in the test, on a timer queue, is used by the app unchanged.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ChariotsError, ErrorCode } from '@chariots/core'
import { Chariots } from '@chariots/server'
import { failingPipeline, isOddPipeline, TestClient, WorkerContext } from '@chariots/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { linearTruth, predictLinearPipeline, trainLinearPipeline } from './fixtures/linear-ops.js'
import { TimerQueueWorkerPool } from './fixtures/timer-queue-worker-pool.js'

describe('a custom pool extending BaseWorkerPool', () => {
  let dir: string
  let pool: TimerQueueWorkerPool

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chariots-custom-pool-'))
    pool = new TimerQueueWorkerPool()
  })

  afterEach(async () => {
    await pool.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('runs worker calls: queued, then done with the value (default waitForJob)', async () => {
    const app = new Chariots([isOddPipeline()], { path: dir, workerPool: pool })
    const client = new TestClient(app)
    await using _workers = await WorkerContext.start(app)
    const call = await client.callPipeline('is_odd', 4, { useWorker: true })
    expect(call.jobStatus).toBe('queued')
    const done = await client.waitForJob(call.jobId!, 'is_odd', { timeoutMs: 5_000 })
    expect(done).toMatchObject({ jobId: call.jobId, jobStatus: 'done', value: false })
  })

  it('trains through runPipelineJob so the server can load and predict', async () => {
    const app = new Chariots([trainLinearPipeline(), predictLinearPipeline()], {
      path: dir,
      workerPool: pool,
    })
    const client = new TestClient(app)
    await using _workers = await WorkerContext.start(app)
    const call = await client.callPipeline('train_linear', null, { useWorker: true })
    expect((await client.waitForJob(call.jobId!, 'train_linear', { timeoutMs: 10_000 })).jobStatus).toBe(
      'done',
    )
    await client.loadPipeline('predict_linear')
    const { value } = await client.callPipeline<number[]>('predict_linear', [[2, 1]])
    expect(Math.abs(value[0]! - linearTruth([2, 1]))).toBeLessThan(1e-5)
  })

  it('reports failures and the absence of workers like the built-in pools', async () => {
    const app = new Chariots([failingPipeline()], { path: dir, workerPool: pool })
    const client = new TestClient(app)
    const refused = (await client
      .callPipeline('failing', null, { useWorker: true })
      .catch((e) => e)) as ChariotsError
    expect(refused.code).toBe(ErrorCode.NO_WORKER_ALIVE)
    const ctx = await WorkerContext.start(app)
    const call = await client.callPipeline('failing', null, { useWorker: true })
    const failed = await client.waitForJob(call.jobId!, 'failing', { timeoutMs: 5_000 })
    expect(failed.jobStatus).toBe('failed')
    expect(failed.error?.code).toBe(ErrorCode.OP_FAILED)
    await ctx.close()
    expect(await pool.nWorkers()).toBe(0)
  })
})
