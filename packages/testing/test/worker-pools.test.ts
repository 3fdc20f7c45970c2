/**
 * One behaviour suite for every worker pool (in-process and BullMQ), so they cannot drift: first
 * at the pool's own API, then through a `Chariots` app and its `TestClient`.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ChariotsError, ErrorCode, Node, Pipeline, ReservedNodes, VersionError } from '@chariots/core'
import { Chariots } from '@chariots/server'
import {
  FailingOp,
  failingPipeline,
  IsOddOp,
  isOddPipeline,
  type RunningRedis,
  slowPipeline,
  startRedis,
  TestClient,
  WorkerContext,
} from '@chariots/testing'
import {
  type BaseWorkerPool,
  InProcessWorkerPool,
  isValidJobId,
  type JobResponse,
  JobStatus,
  type QueueLimitOptions,
} from '@chariots/workers'
import { RQWorkerContext, RQWorkerPool } from '@chariots/workers-rq-like'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Gate, GateOp, gatePipeline } from './fixtures/gate-op.js'
import {
  linearTruth,
  predictLinearPipeline,
  trainLinearPipeline,
  trainScalerPipeline,
} from './fixtures/linear-ops.js'

let redis: RunningRedis

beforeAll(async () => {
  redis = await startRedis()
})

afterAll(async () => {
  await redis?.stop()
})

/** The options both pools take. */
type SharedOptions = QueueLimitOptions & { jobTimeoutMs?: number; shutdownTimeoutMs?: number }

interface PoolKind {
  name: string
  /** A pool with no worker yet. */
  makePool(options?: SharedOptions): BaseWorkerPool
  /** Starts `n` workers for the app's pool. */
  startWorkers(app: Chariots, n?: number): Promise<WorkerContext>
}

const kinds: PoolKind[] = [
  {
    name: 'InProcessWorkerPool',
    makePool: (options = {}) => new InProcessWorkerPool({ concurrency: 0, ...options }),
    startWorkers: (app, n = 1) => WorkerContext.start(app, { workers: n }),
  },
  {
    name: 'RQWorkerPool',
    makePool: (options = {}) =>
      new RQWorkerPool({
        connection: redis.url,
        queueName: `test-${randomUUID()}`,
        onError: () => {},
        ...options,
      }),
    startWorkers: (app, n = 1) => RQWorkerContext.start(app, { workers: n }),
  },
]

const { pipelineInput: IN, pipelineOutput: OUT } = ReservedNodes
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (err) {
    if (err instanceof ChariotsError) return String(err.code)
    throw err
  }
  throw new Error('expected the promise to reject')
}

describe.each(kinds)('$name', (kind) => {
  let dir: string
  let pool: BaseWorkerPool
  const contexts: WorkerContext[] = []

  const appWith = (pipelines: Pipeline[], options: { useWorkers?: boolean } = {}) =>
    new Chariots(pipelines, { path: dir, workerPool: pool, ...options })

  const start = async (app: Chariots, n = 1) => {
    const ctx = await kind.startWorkers(app, n)
    contexts.push(ctx)
    return ctx
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chariots-workers-'))
    pool = kind.makePool()
  })

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()))
    await pool.close()
    await rm(dir, { recursive: true, force: true })
  })

  describe('at the pool', () => {
    it('answers a job id at once, then the job ends done with the value and versions', async () => {
      const isOdd = isOddPipeline()
      const app = appWith([isOdd])
      await start(app)
      const jobId = await pool.executePipelineAsync(isOdd, 4, app.host)
      expect(isValidJobId(jobId)).toBe(true)
      expect([JobStatus.queued, JobStatus.running, JobStatus.done]).toContain(
        (await pool.getPipelineResponseForId(jobId)).status,
      )
      const done = await pool.waitForJob(jobId, 10_000)
      expect(done).toMatchObject({ jobId, pipelineName: 'is_odd', status: 'done', value: false, error: null })
      expect(Object.keys(done.versions)).toEqual(['isoddop'])
      expect(await pool.getPipelineResponseForId(jobId)).toEqual(done)
    })

    it('waitForJob resolves as soon as the job ends, not at its timeout', async () => {
      const slow = slowPipeline(150)
      const app = appWith([slow])
      await start(app)
      const t0 = performance.now()
      const jobId = await pool.executePipelineAsync(slow, 7, app.host)
      const done = await pool.waitForJob(jobId, 20_000)
      const ms = performance.now() - t0
      expect(done.status).toBe('done')
      expect(done.value).toBe(7)
      expect(ms).toBeGreaterThanOrEqual(140)
      expect(ms).toBeLessThan(3_000)
    })

    it('waitForJob answers the current state when the timeout comes first', async () => {
      const gate = new Gate()
      const gated = gatePipeline(gate)
      const app = appWith([gated])
      await start(app)
      const jobId = await pool.executePipelineAsync(gated, 1, app.host)
      const t0 = performance.now()
      const response = await pool.waitForJob(jobId, 300)
      expect(performance.now() - t0).toBeGreaterThanOrEqual(250)
      expect(['queued', 'running']).toContain(response.status)
      gate.open()
      expect((await pool.waitForJob(jobId, 10_000)).status).toBe('done')
    })

    it('shows the progress an op reports while the job runs', async () => {
      const gate = new Gate()
      const gated = gatePipeline(gate)
      const app = appWith([gated])
      await start(app)
      const jobId = await pool.executePipelineAsync(gated, 'x', app.host)
      await expect
        .poll(async () => (await pool.getPipelineResponseForId(jobId)).progress, {
          timeout: 5_000,
          interval: 20,
        })
        .toEqual({ stage: 'waiting', fraction: 0.5 })
      expect((await pool.getPipelineResponseForId(jobId)).status).toBe('running')
      gate.open()
      expect(await pool.waitForJob(jobId, 10_000)).toMatchObject({ status: 'done', value: 'x' })
    })

    it('a failing op fails the job with OP_FAILED and its message', async () => {
      const failing = failingPipeline()
      const app = appWith([failing])
      await start(app)
      const jobId = await pool.executePipelineAsync(failing, null, app.host)
      const failed = await pool.waitForJob(jobId, 10_000)
      expect(failed).toMatchObject({ status: 'failed', value: null, versions: {} })
      expect(failed.error).toEqual({ code: ErrorCode.OP_FAILED, message: FailingOp.message })
    })

    it('a ChariotsError keeps its code (a pipeline the app does not serve)', async () => {
      const app = appWith([isOddPipeline()])
      await start(app)
      const jobId = await pool.executePipelineAsync(isOddPipeline('not_served'), 1, app.host)
      const failed = await pool.waitForJob(jobId, 10_000)
      expect(failed.status).toBe('failed')
      expect(failed.error?.code).toBe(ErrorCode.PIPELINE_NOT_FOUND)
      expect(failed.error?.message).toMatch(/not_served/)
    })

    it('an unknown job id is JOB_NOT_FOUND', async () => {
      appWith([isOddPipeline()])
      expect(await codeOf(pool.getPipelineResponseForId(UNKNOWN_ID))).toBe(ErrorCode.JOB_NOT_FOUND)
      expect(await codeOf(pool.waitForJob(UNKNOWN_ID, 1_000))).toBe(ErrorCode.JOB_NOT_FOUND)
      expect(await codeOf(pool.getPipelineResponseForId('not-a-uuid'))).toBe(ErrorCode.JOB_NOT_FOUND)
    })

    it('counts live workers, and refuses a job with NO_WORKER_ALIVE when there is none', async () => {
      const isOdd = isOddPipeline()
      const app = appWith([isOdd])
      expect(await pool.nWorkers()).toBe(0)
      expect(await codeOf(pool.executePipelineAsync(isOdd, 1, app.host))).toBe(ErrorCode.NO_WORKER_ALIVE)
      const ctx = await start(app, 2)
      expect(await pool.nWorkers()).toBe(2)
      await ctx.close()
      expect(await pool.nWorkers()).toBe(0)
      expect(await codeOf(pool.executePipelineAsync(isOdd, 1, app.host))).toBe(ErrorCode.NO_WORKER_ALIVE)
    })

    it('runs many jobs with several workers, each with its own result', async () => {
      const isOdd = isOddPipeline()
      const app = appWith([isOdd])
      await start(app, 2)
      const ids = await Promise.all(
        Array.from({ length: 20 }, (_, i) => pool.executePipelineAsync(isOdd, i, app.host)),
      )
      expect(new Set(ids).size).toBe(20)
      const results = await Promise.all(ids.map((id) => pool.waitForJob(id, 10_000)))
      expect(results.map((r) => r.value)).toEqual(Array.from({ length: 20 }, (_, i) => i % 2 === 1))
    })
  })

  describe('limits, timeouts and honest status', () => {
    /** Replaces the suite's pool by one with these options. */
    const usePool = async (options: SharedOptions) => {
      await pool.close()
      pool = kind.makePool(options)
    }
    /** Reads jobs after `pool` was closed (a second RQWorkerPool on the same queue). */
    const readerOf = (closed: BaseWorkerPool): BaseWorkerPool =>
      closed instanceof RQWorkerPool
        ? new RQWorkerPool({ connection: redis.url, queueName: closed.queueName, onError: () => {} })
        : closed

    it('refuses a job past maxQueuedJobs with QUEUE_FULL and a retry hint, and takes jobs again once one ends', async () => {
      await usePool({ maxQueuedJobs: 2, retryAfterSeconds: 3 })
      const gate = new Gate()
      const gated = gatePipeline(gate)
      const isOdd = isOddPipeline()
      const app = appWith([gated, isOdd])
      await start(app)
      const first = await pool.executePipelineAsync(gated, 1, app.host)
      const second = await pool.executePipelineAsync(isOdd, 1, app.host) // waits behind the first
      const err = (await pool
        .executePipelineAsync(isOdd, 3, app.host)
        .catch((e: unknown) => e)) as ChariotsError
      expect(err.code).toBe(ErrorCode.QUEUE_FULL)
      expect(err.details).toMatchObject({ queuedJobs: 2, maxQueuedJobs: 2, retryAfterSeconds: 3 })
      expect(err.message).toMatch(
        /is full: it holds 2 jobs waiting or running \(maxQueuedJobs 2\).*retry in 3 s/,
      )
      gate.open()
      expect((await pool.waitForJob(first, 10_000)).status).toBe('done')
      expect((await pool.waitForJob(second, 10_000)).status).toBe('done')
      const again = await pool.executePipelineAsync(isOdd, 3, app.host)
      expect(await pool.waitForJob(again, 10_000)).toMatchObject({ status: 'done', value: true })
    })

    it('refuses past maxQueuedBytes of held input, and one input over the whole limit with BODY_TOO_LARGE', async () => {
      await usePool({ maxQueuedBytes: 1_000 })
      const gate = new Gate()
      const gated = gatePipeline(gate)
      const isOdd = isOddPipeline()
      const app = appWith([gated, isOdd])
      await start(app)
      const big = 'x'.repeat(600) // 602 bytes as JSON
      const held = await pool.executePipelineAsync(gated, big, app.host)
      const full = (await pool
        .executePipelineAsync(isOdd, big, app.host)
        .catch((e: unknown) => e)) as ChariotsError
      expect(full.code).toBe(ErrorCode.QUEUE_FULL)
      expect(full.details).toMatchObject({ queuedBytes: 602, maxQueuedBytes: 1_000 })
      const huge = (await pool
        .executePipelineAsync(isOdd, 'y'.repeat(1_000), app.host)
        .catch((e: unknown) => e)) as ChariotsError
      expect(huge.code).toBe(ErrorCode.BODY_TOO_LARGE)
      expect(huge.message).toMatch(
        /1002 bytes as JSON, more than .* holds for all its queued jobs \(maxQueuedBytes 1000\)/,
      )
      gate.open()
      expect(await pool.waitForJob(held, 10_000)).toMatchObject({ status: 'done', value: big })
      const next = await pool.executePipelineAsync(isOdd, big, app.host) // the bytes were released
      expect((await pool.waitForJob(next, 10_000)).status).toBe('done')
    })

    it("a job past its timeout ends failed TIMEOUT and its neighbours end done; a pipeline's own jobTimeoutMs wins", async () => {
      await usePool({ jobTimeoutMs: 300 })
      const hungGate = new Gate()
      const patientGate = new Gate()
      const hung = gatePipeline(hungGate, 'hung') // the pool's 300 ms
      const patient = new Pipeline(
        [new Node(new GateOp(patientGate), { inputNodes: [IN], outputNodes: OUT })],
        'patient',
        { jobTimeoutMs: 0 }, // no limit
      )
      const isOdd = isOddPipeline()
      const app = appWith([hung, patient, isOdd])
      await start(app, 3)
      const stuck = await pool.executePipelineAsync(hung, 1, app.host)
      const slow = await pool.executePipelineAsync(patient, 'p', app.host)
      const neighbours = await Promise.all(
        [1, 2, 3, 4].map((i) => pool.executePipelineAsync(isOdd, i, app.host)),
      )
      const failed = await pool.waitForJob(stuck, 10_000)
      expect(failed).toMatchObject({ status: 'failed', value: null })
      expect(failed.error?.code).toBe(ErrorCode.TIMEOUT)
      expect(failed.error?.message).toMatch(
        /^job \S+ of pipeline 'hung' ran longer than its timeout of 300 ms/,
      )
      const ended = await Promise.all(neighbours.map((id) => pool.waitForJob(id, 10_000)))
      expect(ended.map((r) => [r.status, r.value])).toEqual([
        ['done', true],
        ['done', false],
        ['done', true],
        ['done', false],
      ])
      expect((await pool.getPipelineResponseForId(slow)).status).toBe('running') // past 300 ms, no limit
      patientGate.open()
      expect(await pool.waitForJob(slow, 10_000)).toMatchObject({ status: 'done', value: 'p' })
      hungGate.open() // the abandoned body may return now; the job stays failed
      await new Promise((r) => setTimeout(r, 50))
      expect((await pool.getPipelineResponseForId(stuck)).error?.code).toBe(ErrorCode.TIMEOUT)
    })

    it('closing waits shutdownTimeoutMs for a running job, then fails it with WORKER_SHUTDOWN', async () => {
      await usePool({ shutdownTimeoutMs: 300 })
      const gate = new Gate()
      const gated = gatePipeline(gate)
      const app = appWith([gated])
      await start(app)
      const jobId = await pool.executePipelineAsync(gated, 1, app.host)
      await expect.poll(async () => (await pool.getPipelineResponseForId(jobId)).status).toBe('running')
      const t0 = performance.now()
      await Promise.all(contexts.splice(0).map((c) => c.close()))
      await pool.close()
      expect(performance.now() - t0).toBeGreaterThanOrEqual(250)
      const reader = readerOf(pool)
      try {
        const failed = await reader.getPipelineResponseForId(jobId)
        expect(failed.status).toBe('failed')
        expect(failed.error?.code).toBe(ErrorCode.WORKER_SHUTDOWN)
        expect(failed.error?.message).toMatch(/was still running when .* shut down.*grace period of 300 ms/)
      } finally {
        if (reader !== pool) await reader.close()
        gate.open()
      }
    })

    it('watchJob reports each change as it happens: running with its progress, then done, no repeats', async () => {
      const gate = new Gate()
      const gated = gatePipeline(gate)
      const app = appWith([gated])
      await start(app)
      const jobId = await pool.executePipelineAsync(gated, 'w', app.host)
      const seen: string[] = []
      const ended = new Promise<void>((resolve, reject) =>
        pool.watchJob(
          jobId,
          (job) => {
            seen.push(`${job.status} ${JSON.stringify(job.progress)}`)
            if (job.status === 'done') resolve()
          },
          reject,
        ),
      )
      const RUNNING = 'running {"stage":"waiting","fraction":0.5}'
      await expect.poll(() => seen.includes(RUNNING), { timeout: 5_000, interval: 10 }).toBe(true)
      gate.open()
      await ended
      expect(seen.at(-1)).toBe('done {"stage":"waiting","fraction":0.5}')
      expect(new Set(seen).size).toBe(seen.length)
    })

    it('watchJobs reports the jobs of the whole pool, each through to its end', async () => {
      const isOdd = isOddPipeline()
      const app = appWith([isOdd])
      await start(app)
      const seen: JobResponse[] = []
      const stop = pool.watchJobs((job) => seen.push(job))
      expect(stop).toBeTypeOf('function')
      try {
        const warmUp = await pool.executePipelineAsync(isOdd, 1, app.host)
        await pool.waitForJob(warmUp, 10_000)
        const ids = await Promise.all([2, 3].map((i) => pool.executePipelineAsync(isOdd, i, app.host)))
        await Promise.all(ids.map((id) => pool.waitForJob(id, 10_000)))
        await expect
          .poll(() => ids.map((id) => seen.filter((j) => j.jobId === id).at(-1)?.status), { timeout: 5_000 })
          .toEqual(['done', 'done'])
        expect(seen.find((j) => j.jobId === ids[1] && j.status === 'done')?.value).toBe(true)
      } finally {
        stop?.()
      }
    })

    it('a queued job says workerLost while no worker is alive, and runs once a worker is back', async () => {
      const gate = new Gate()
      const gated = gatePipeline(gate)
      const isOdd = isOddPipeline()
      const app = appWith([gated, isOdd])
      const ctx = await start(app)
      const first = await pool.executePipelineAsync(gated, 1, app.host)
      const queued = await pool.executePipelineAsync(isOdd, 3, app.host)
      await expect.poll(async () => (await pool.getPipelineResponseForId(first)).status).toBe('running')
      expect((await pool.getPipelineResponseForId(queued)).workerLost).toBeFalsy()
      const closing = ctx.close() // stops taking jobs; the running one finishes
      gate.open()
      await closing
      expect((await pool.getPipelineResponseForId(first)).status).toBe('done')
      expect(await pool.getPipelineResponseForId(queued)).toMatchObject({
        status: 'queued',
        workerLost: true,
      })
      await start(app)
      const done = await pool.waitForJob(queued, 10_000)
      expect(done).toMatchObject({ status: 'done', value: true })
      expect(done.workerLost).toBeFalsy()
    })
  })

  describe('through the app', () => {
    const ways = [
      { way: 'the app (useWorkers)', app: { useWorkers: true }, pipeline: false, call: false },
      { way: 'the pipeline (useWorker)', app: {}, pipeline: true, call: false },
      { way: 'the call ({ useWorker: true })', app: {}, pipeline: false, call: true },
    ]

    it.each(ways)(
      'runs in a worker when $way asks: queued with a job id, then done with the value',
      async (w) => {
        const pipeline = new Pipeline(
          [new Node(new IsOddOp(), { inputNodes: [IN], outputNodes: OUT })],
          'is_odd',
          {
            useWorker: w.pipeline,
          },
        )
        const app = appWith([pipeline], w.app)
        const client = new TestClient(app)
        await start(app)
        const call = await client.callPipeline(pipeline, 4, { useWorker: w.call })
        expect(call.jobStatus).toBe('queued')
        expect(call.value).toBeNull()
        expect(isValidJobId(call.jobId)).toBe(true)
        const done = await client.waitForJob(call.jobId!, pipeline, { timeoutMs: 10_000 })
        expect(done).toMatchObject({ jobId: call.jobId, jobStatus: 'done', value: false })
        expect([...done.versions.keys()]).toEqual(['isoddop'])
        const fetched = await client.fetchJob(call.jobId!, pipeline)
        expect(fetched).toMatchObject({ jobId: call.jobId, jobStatus: 'done', value: false })
      },
    )

    it('runs in-process when nobody asks for a worker', async () => {
      const app = appWith([isOddPipeline()])
      const call = await new TestClient(app).callPipeline('is_odd', 4)
      expect(call).toMatchObject({ jobId: null, jobStatus: 'done', value: false })
    })

    it('the wait route answers as soon as the job ends', async () => {
      const app = appWith([slowPipeline(100)])
      const client = new TestClient(app)
      await start(app)
      const t0 = performance.now()
      const call = await client.callPipeline('slow', 3, { useWorker: true })
      const done = await client.waitForJob(call.jobId!, 'slow', { timeoutMs: 20_000 })
      expect(done).toMatchObject({ jobStatus: 'done', value: 3 })
      expect(performance.now() - t0).toBeLessThan(3_000)
    })

    it('trains in a worker; the prediction pipeline, loaded on the server, predicts within 1e-5', async () => {
      const train = trainLinearPipeline()
      const predict = predictLinearPipeline()
      const app = appWith([train, predict])
      const client = new TestClient(app)
      await start(app)
      expect(await client.isPipelineLoaded(predict)).toBe(false)
      const call = await client.callPipeline(train, undefined, { useWorker: true })
      expect(call.jobStatus).toBe('queued')
      const trained = await client.waitForJob(call.jobId!, train, { timeoutMs: 20_000 })
      expect(trained.jobStatus).toBe('done')
      expect([...trained.versions.keys()]).toEqual(['lineardataop', 'scalerop', 'linearregressionop'])
      await client.loadPipeline(predict)
      expect(await client.isPipelineLoaded(predict)).toBe(true)
      const rows = [
        [1, 2],
        [-3.5, 0.25],
        [10, -4],
      ]
      const { value } = await client.callPipeline<number[]>(predict, rows)
      expect(value).toHaveLength(3)
      for (const [i, v] of value.entries()) expect(Math.abs(v - linearTruth(rows[i]!))).toBeLessThan(1e-5)
      // the versions the server reports are those the worker trained
      const versions = await client.pipelineVersions(predict)
      expect(versions.get('scalerop')?.toString()).toBe(trained.versions.get('scalerop')?.toString())
    })

    it('retraining the upstream in a worker makes loading the prediction pipeline fail with VersionError', async () => {
      const train = trainLinearPipeline()
      const predict = predictLinearPipeline()
      const retrainScaler = trainScalerPipeline()
      const app = appWith([train, predict, retrainScaler])
      const client = new TestClient(app)
      await start(app)
      const first = await client.callPipeline(train, undefined, { useWorker: true })
      expect((await client.waitForJob(first.jobId!, train, { timeoutMs: 20_000 })).jobStatus).toBe('done')
      await client.loadPipeline(predict)
      const again = await client.callPipeline(retrainScaler, undefined, { useWorker: true })
      expect((await client.waitForJob(again.jobId!, retrainScaler, { timeoutMs: 20_000 })).jobStatus).toBe(
        'done',
      )
      const err = await client.loadPipeline(predict).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(VersionError)
      expect((err as VersionError).code).toBe(ErrorCode.VERSION_INCOMPATIBLE)
      expect((err as VersionError).message).toMatch(/linearregressionop/)
      expect((err as VersionError).message).toMatch(/scalerop/)
    })

    it('a failing op: fetchJob shows failed with its code and message', async () => {
      const app = appWith([failingPipeline()])
      const client = new TestClient(app)
      await start(app)
      const call = await client.callPipeline('failing', null, { useWorker: true })
      const failed = await client.waitForJob(call.jobId!, 'failing', { timeoutMs: 10_000 })
      expect(failed.jobStatus).toBe('failed')
      expect(failed.value).toBeNull()
      expect(failed.error).toEqual({ code: ErrorCode.OP_FAILED, message: FailingOp.message })
      expect((await client.fetchJob(call.jobId!, 'failing')).error).toEqual(failed.error)
    })

    it('progress reported mid-job is visible through fetchJob', async () => {
      const gate = new Gate()
      const app = appWith([gatePipeline(gate)])
      const client = new TestClient(app)
      await start(app)
      const call = await client.callPipeline('gated', 5, { useWorker: true })
      await expect
        .poll(async () => (await client.fetchJob(call.jobId!, 'gated')).progress, {
          timeout: 5_000,
          interval: 20,
        })
        .toEqual({ stage: 'waiting', fraction: 0.5 })
      const running = await client.fetchJob(call.jobId!, 'gated')
      expect(running).toMatchObject({ jobStatus: 'running', value: null })
      expect(running.versions.size).toBe(0)
      gate.open()
      expect(await client.waitForJob(call.jobId!, 'gated', { timeoutMs: 10_000 })).toMatchObject({
        jobStatus: 'done',
        value: 5,
      })
    })

    it('an unknown job id is a 404', async () => {
      const client = new TestClient(appWith([isOddPipeline()]))
      for (const request of [
        client.fetchJob(UNKNOWN_ID, 'is_odd'),
        client.waitForJob(UNKNOWN_ID, 'is_odd', { timeoutMs: 1_000 }),
      ]) {
        const err = (await request.catch((e: unknown) => e)) as ChariotsError
        expect(err.code).toBe(ErrorCode.JOB_NOT_FOUND)
        expect(err.details?.status).toBe(404)
      }
    })

    it('asking for a worker while none is alive is a 503 NO_WORKER_ALIVE', async () => {
      const client = new TestClient(appWith([isOddPipeline()]))
      const err = (await client
        .callPipeline('is_odd', 4, { useWorker: true })
        .catch((e: unknown) => e)) as ChariotsError
      expect(err.code).toBe(ErrorCode.NO_WORKER_ALIVE)
      expect(err.details?.status).toBe(503)
    })
  })
})
