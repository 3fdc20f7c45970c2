import type { PipelineHost } from '@chariots/core'
import { ErrorCode, Node, Pipeline } from '@chariots/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  HoldOp,
  IN,
  IsOddOp,
  OUT,
  single,
  ThrowingOp,
  tempDir,
  waitUntil,
  workerHost,
} from '../../test/fixtures/worker-app.js'
import { InProcessWorkerPool } from './in-process-worker-pool.js'

describe('InProcessWorkerPool', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let pool: InProcessWorkerPool
  beforeEach(async () => {
    dir = await tempDir()
  })
  afterEach(async () => {
    await pool?.close()
    await dir.remove()
  })

  const withApp = (options: ConstructorParameters<typeof InProcessWorkerPool>[0], ...ops: HoldOp[]) => {
    pool = new InProcessWorkerPool(options)
    const pipelines = [
      single(new IsOddOp(), 'is_odd'),
      single(new ThrowingOp(), 'throwing'),
      ...ops.map((op, i) => single(op, `hold${i}`)),
    ]
    const app: PipelineHost = workerHost(dir.path, pipelines)
    pool.attach(app)
    return { app, pipeline: (name: string) => app.getPipeline(name) }
  }

  it('answers queued at once: the job starts on a later turn of the event loop', async () => {
    const { app, pipeline } = withApp({})
    const jobId = await pool.executePipelineAsync(pipeline('is_odd'), 3, app)
    expect((await pool.getPipelineResponseForId(jobId)).status).toBe('queued')
    expect(await pool.waitForJob(jobId, 1_000)).toMatchObject({ status: 'done', value: true })
  })

  it('runs at most `concurrency` jobs at once, in the order they came', async () => {
    const ops = [new HoldOp(), new HoldOp(), new HoldOp()]
    const { app, pipeline } = withApp({ concurrency: 2 }, ...ops)
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push(await pool.executePipelineAsync(pipeline(`hold${i}`), `x${i}`, app))
    await waitUntil(() => ops[0]!.held + ops[1]!.held === 2)
    const statuses = async () =>
      Promise.all(ids.map(async (id) => (await pool.getPipelineResponseForId(id)).status))
    expect(await statuses()).toEqual(['running', 'running', 'queued'])
    ops[1]!.release()
    await waitUntil(() => ops[2]!.held === 1)
    expect(await statuses()).toEqual(['running', 'done', 'running'])
    ops[0]!.release()
    ops[2]!.release()
    await Promise.all(ids.map((id) => pool.waitForJob(id, 1_000)))
    expect(await statuses()).toEqual(['done', 'done', 'done'])
  })

  it('waitForJob is woken by the job ending, not by a timer', async () => {
    const hold = new HoldOp()
    const { app, pipeline } = withApp({}, hold)
    const jobId = await pool.executePipelineAsync(pipeline('hold0'), 'a', app)
    await waitUntil(() => hold.held === 1)
    const waiting = pool.waitForJob(jobId, 60_000)
    const t0 = performance.now()
    setTimeout(() => hold.release(), 30)
    expect(await waiting).toMatchObject({ status: 'done', value: 'a', progress: { holding: 'a' } })
    expect(performance.now() - t0).toBeLessThan(500)
  })

  it('keeps a failed job with its error', async () => {
    const { app, pipeline } = withApp({})
    const jobId = await pool.executePipelineAsync(pipeline('throwing'), null, app)
    expect(await pool.waitForJob(jobId, 1_000)).toMatchObject({
      status: 'failed',
      value: null,
      error: { code: ErrorCode.OP_FAILED, message: 'boom' },
    })
  })

  it('forgets the oldest finished jobs beyond maxFinishedJobs', async () => {
    const { app, pipeline } = withApp({ maxFinishedJobs: 3 })
    const ids = []
    for (let i = 0; i < 5; i++) {
      const id = await pool.executePipelineAsync(pipeline('is_odd'), i, app)
      await pool.waitForJob(id, 1_000)
      ids.push(id)
    }
    for (const id of ids.slice(0, 2))
      await expect(pool.getPipelineResponseForId(id)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' })
    for (const id of ids.slice(2)) expect((await pool.getPipelineResponseForId(id)).status).toBe('done')
  })

  it('forgets finished jobs older than finishedJobTtlMs, but never a running one', async () => {
    const hold = new HoldOp()
    const { app, pipeline } = withApp({ concurrency: 2, finishedJobTtlMs: 50 }, hold)
    const running = await pool.executePipelineAsync(pipeline('hold0'), 'slow', app)
    const finished = await pool.executePipelineAsync(pipeline('is_odd'), 1, app)
    await pool.waitForJob(finished, 1_000)
    await new Promise((r) => setTimeout(r, 80))
    await expect(pool.getPipelineResponseForId(finished)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' })
    expect((await pool.getPipelineResponseForId(running)).status).toBe('running')
    hold.release()
    expect((await pool.waitForJob(running, 1_000)).status).toBe('done')
  })

  it('concurrency 0 has no worker until one is spawned; a spawned worker can be stopped again', async () => {
    const { app, pipeline } = withApp({ concurrency: 0 })
    expect(await pool.nWorkers()).toBe(0)
    await expect(pool.executePipelineAsync(pipeline('is_odd'), 1, app)).rejects.toMatchObject({
      code: 'NO_WORKER_ALIVE',
    })
    const worker = await pool.spawnWorker()
    const more = await pool.startWorkers({ concurrency: 2 })
    expect(await pool.nWorkers()).toBe(3)
    const jobId = await pool.executePipelineAsync(pipeline('is_odd'), 1, app)
    expect((await pool.waitForJob(jobId, 1_000)).value).toBe(true)
    await more.close()
    await worker.close()
    expect(await pool.nWorkers()).toBe(0)
  })

  it('stopping a worker lets its running job finish first', async () => {
    const hold = new HoldOp()
    const { app, pipeline } = withApp({ concurrency: 0 }, hold)
    const worker = await pool.spawnWorker()
    const jobId = await pool.executePipelineAsync(pipeline('hold0'), 'a', app)
    await waitUntil(() => hold.held === 1)
    let stopped = false
    const stopping = worker.close().then(() => (stopped = true))
    await new Promise((r) => setTimeout(r, 20))
    expect(stopped).toBe(false)
    hold.release()
    await stopping
    expect((await pool.getPipelineResponseForId(jobId)).status).toBe('done')
  })

  it('close: queued jobs fail with NO_WORKER_ALIVE, the running one finishes, nWorkers is 0', async () => {
    const hold = new HoldOp()
    const { app, pipeline } = withApp({}, hold)
    const running = await pool.executePipelineAsync(pipeline('hold0'), 'a', app)
    const queued = await pool.executePipelineAsync(pipeline('is_odd'), 1, app)
    await waitUntil(() => hold.held === 1)
    const waitingForQueued = pool.waitForJob(queued, 10_000)
    const closing = pool.close()
    expect(await waitingForQueued).toMatchObject({ status: 'failed', error: { code: 'NO_WORKER_ALIVE' } })
    hold.release()
    await closing
    expect(await pool.nWorkers()).toBe(0)
    expect((await pool.getPipelineResponseForId(running)).status).toBe('done')
    await expect(pool.executePipelineAsync(pipeline('is_odd'), 1, app)).rejects.toMatchObject({
      code: 'NO_WORKER_ALIVE',
    })
  })

  it('rejects a negative or fractional concurrency', () => {
    expect(() => new InProcessWorkerPool({ concurrency: -1 })).toThrow(/concurrency/)
    expect(() => new InProcessWorkerPool({ concurrency: 1.5 })).toThrow(/concurrency/)
  })

  it('watchJob reports each change of status and progress as it happens, ending with done; an unknown id is an error', async () => {
    const hold = new HoldOp()
    const { app, pipeline } = withApp({}, hold)
    const jobId = await pool.executePipelineAsync(pipeline('hold0'), 'w', app)
    const seen: string[] = []
    const ended = new Promise<void>((resolve) =>
      pool.watchJob(jobId, (job) => {
        seen.push(`${job.status} ${JSON.stringify(job.progress)}`)
        if (job.status === 'done') resolve()
      }),
    )
    await waitUntil(() => hold.held === 1 && seen.length >= 2)
    hold.release()
    await ended
    // Event-driven: every change in order, the start before the first progress included.
    expect(seen).toEqual(['queued null', 'running null', 'running {"holding":"w"}', 'done {"holding":"w"}'])
    const failure = await new Promise<Error>((resolve) =>
      pool.watchJob('00000000-0000-4000-8000-000000000000', () => {}, resolve),
    )
    expect(failure).toMatchObject({ code: 'JOB_NOT_FOUND' })
  })

  describe('limits', () => {
    it('refuses past maxQueuedJobs with QUEUE_FULL and a retry hint, and accepts again once a job ends', async () => {
      const hold = new HoldOp()
      const { app, pipeline } = withApp({ maxQueuedJobs: 2, retryAfterSeconds: 7 }, hold)
      const first = await pool.executePipelineAsync(pipeline('hold0'), 'a', app) // running
      await pool.executePipelineAsync(pipeline('is_odd'), 1, app) // queued
      const err = await pool.executePipelineAsync(pipeline('is_odd'), 3, app).catch((e: unknown) => e)
      expect(err).toMatchObject({
        code: ErrorCode.QUEUE_FULL,
        details: { queuedJobs: 2, maxQueuedJobs: 2, retryAfterSeconds: 7 },
      })
      expect((err as Error).message).toMatch(
        /InProcessWorkerPool is full: it holds 2 jobs .*maxQueuedJobs 2.*retry in 7 s/,
      )
      await waitUntil(() => hold.held === 1)
      hold.release()
      await pool.waitForJob(first, 1_000)
      const again = await pool.executePipelineAsync(pipeline('is_odd'), 3, app)
      expect((await pool.waitForJob(again, 1_000)).value).toBe(true)
    })

    it('refuses past maxQueuedBytes of held input, and an input larger than the whole limit with BODY_TOO_LARGE', async () => {
      const hold = new HoldOp()
      const { app, pipeline } = withApp({ maxQueuedBytes: 1_000 }, hold)
      const big = 'x'.repeat(600) // 602 bytes as JSON
      const held = await pool.executePipelineAsync(pipeline('hold0'), big, app)
      await expect(pool.executePipelineAsync(pipeline('is_odd'), big, app)).rejects.toMatchObject({
        code: ErrorCode.QUEUE_FULL,
        details: { queuedBytes: 602, maxQueuedBytes: 1_000 },
      })
      await expect(
        pool.executePipelineAsync(pipeline('is_odd'), 'y'.repeat(1_000), app),
      ).rejects.toMatchObject({
        code: ErrorCode.BODY_TOO_LARGE,
        details: { inputBytes: 1_002, maxQueuedBytes: 1_000 },
      })
      const small = await pool.executePipelineAsync(pipeline('is_odd'), 5, app) // 1 byte fits
      await waitUntil(() => hold.held === 1)
      hold.release()
      expect((await pool.waitForJob(held, 1_000)).status).toBe('done')
      expect((await pool.waitForJob(small, 1_000)).value).toBe(true)
      // the held input was released with its job: the same input fits again
      const next = await pool.executePipelineAsync(pipeline('hold0'), big, app)
      await waitUntil(() => hold.held === 1)
      hold.release()
      expect((await pool.waitForJob(next, 1_000)).value).toBe(big)
    })

    it('forgets the oldest finished results past maxFinishedBytes, always keeping the newest', async () => {
      const { app, pipeline } = withApp({ maxFinishedBytes: 2_500 }, new HoldOp())
      const echo = app.getPipeline('hold0')
      const ids: string[] = []
      for (let i = 0; i < 4; i++) {
        const id = await pool.executePipelineAsync(echo, `${i}`.repeat(1_000), app)
        await waitUntil(() => (echo.nodes[0]!.op as HoldOp).held === 1)
        ;(echo.nodes[0]!.op as HoldOp).release()
        await pool.waitForJob(id, 1_000)
        ids.push(id)
      }
      // 1,002 bytes each: two fit in 2,500
      for (const id of ids.slice(0, 2))
        await expect(pool.getPipelineResponseForId(id)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' })
      for (const id of ids.slice(2)) expect((await pool.getPipelineResponseForId(id)).status).toBe('done')
      const huge = await pool.executePipelineAsync(pipeline('hold0'), 'z'.repeat(5_000), app)
      await waitUntil(() => (echo.nodes[0]!.op as HoldOp).held === 1)
      ;(echo.nodes[0]!.op as HoldOp).release()
      expect((await pool.waitForJob(huge, 1_000)).value).toHaveLength(5_000)
      expect((await pool.getPipelineResponseForId(huge)).status).toBe('done')
    })

    it('rejects limits that are not whole numbers above 0', () => {
      expect(() => new InProcessWorkerPool({ maxQueuedJobs: 0 })).toThrow(
        /maxQueuedJobs must be a whole number above 0/,
      )
      expect(() => new InProcessWorkerPool({ maxQueuedBytes: 1.5 })).toThrow(/maxQueuedBytes/)
      expect(() => new InProcessWorkerPool({ jobTimeoutMs: -1 })).toThrow(
        /jobTimeoutMs must be a whole number of ms/,
      )
    })
  })

  describe('timeouts and shutdown', () => {
    it("a job past its pipeline's jobTimeoutMs fails with TIMEOUT, frees its slot, and its late result is ignored", async () => {
      const hung = new HoldOp()
      pool = new InProcessWorkerPool({ concurrency: 1 })
      const app = workerHost(dir.path, [
        single(new IsOddOp(), 'is_odd'),
        new Pipeline([new Node(hung, { inputNodes: [IN], outputNodes: OUT })], 'hung', { jobTimeoutMs: 100 }),
      ])
      pool.attach(app)
      const stuck = await pool.executePipelineAsync(app.getPipeline('hung'), 'h', app)
      const next = await pool.executePipelineAsync(app.getPipeline('is_odd'), 1, app)
      const failed = await pool.waitForJob(stuck, 5_000)
      expect(failed).toMatchObject({ status: 'failed', value: null })
      expect(failed.error?.code).toBe(ErrorCode.TIMEOUT)
      expect(failed.error?.message).toMatch(
        /^job \S+ of pipeline 'hung' ran longer than its timeout of 100 ms and was failed \(in this process it cannot be stopped/,
      )
      // the one slot went to the next job although the hung body has not returned
      expect(await pool.waitForJob(next, 5_000)).toMatchObject({ status: 'done', value: true })
      expect(hung.held).toBe(1)
      hung.release()
      await new Promise((r) => setTimeout(r, 20))
      expect((await pool.getPipelineResponseForId(stuck)).status).toBe('failed')
    })

    it("the pool's jobTimeoutMs applies to pipelines without their own; 0 means no limit", async () => {
      const hold = new HoldOp()
      const { app, pipeline } = withApp({ jobTimeoutMs: 80 }, hold)
      const id = await pool.executePipelineAsync(pipeline('hold0'), 'a', app)
      expect((await pool.waitForJob(id, 5_000)).error?.code).toBe(ErrorCode.TIMEOUT)
      hold.release()
      await pool.close()
      const unlimited = new HoldOp()
      const second = withApp({ jobTimeoutMs: 0 }, unlimited)
      const slow = await pool.executePipelineAsync(second.pipeline('hold0'), 'b', second.app)
      await waitUntil(() => unlimited.held === 1)
      expect((await pool.waitForJob(slow, 300)).status).toBe('running')
      unlimited.release()
      expect((await pool.waitForJob(slow, 1_000)).status).toBe('done')
    })

    it('close waits shutdownTimeoutMs for running jobs, then fails them with WORKER_SHUTDOWN', async () => {
      const hold = new HoldOp()
      const { app, pipeline } = withApp({ shutdownTimeoutMs: 150 }, hold)
      const id = await pool.executePipelineAsync(pipeline('hold0'), 'a', app)
      await waitUntil(() => hold.held === 1)
      const t0 = performance.now()
      await pool.close()
      expect(performance.now() - t0).toBeGreaterThanOrEqual(140)
      const failed = await pool.getPipelineResponseForId(id)
      expect(failed.status).toBe('failed')
      expect(failed.error?.code).toBe(ErrorCode.WORKER_SHUTDOWN)
      expect(failed.error?.message).toMatch(
        /still running when the InProcessWorkerPool shut down.*grace period of 150 ms/,
      )
      hold.release()
    })
  })

  it('watchJobs reports every change of every job of the pool, until stopped', async () => {
    const { app, pipeline } = withApp({})
    const seen: string[] = []
    const stop = pool.watchJobs((job) => seen.push(`${job.pipelineName} ${job.status}`))
    const a = await pool.executePipelineAsync(pipeline('is_odd'), 1, app)
    const b = await pool.executePipelineAsync(pipeline('throwing'), null, app)
    await pool.waitForJob(a, 1_000)
    await pool.waitForJob(b, 1_000)
    stop()
    await pool.waitForJob(await pool.executePipelineAsync(pipeline('is_odd'), 2, app), 1_000)
    expect(seen).toEqual([
      'is_odd queued',
      'throwing queued',
      'is_odd running',
      'is_odd done',
      'throwing running',
      'throwing failed',
    ])
  })
})
