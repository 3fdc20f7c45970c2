import type { PipelineHost } from '@chariots/core'
import { ErrorCode } from '@chariots/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  HoldOp,
  IsOddOp,
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

  it('watchJob reports each change of status and progress, ending with done; an unknown id is an error', async () => {
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
    expect(seen).toEqual(
      ['queued null', 'running {"holding":"w"}', 'done {"holding":"w"}'].slice(
        seen[0] === 'queued null' ? 0 : 1,
      ),
    )
    const failure = await new Promise<Error>((resolve) =>
      pool.watchJob('00000000-0000-4000-8000-000000000000', () => {}, resolve),
    )
    expect(failure).toMatchObject({ code: 'JOB_NOT_FOUND' })
  })
})
