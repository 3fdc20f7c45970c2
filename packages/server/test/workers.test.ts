import { ErrorCode } from '@chariots/core'
import { isOddPipeline } from '@chariots/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Chariots, type ChariotsOptions } from '../src/index.js'
import { FakePool } from './helpers/fake-pool.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

import { type Opened, postJson, tempDir, transports } from './helpers/transports.js'

describe.each(transports)('worker routing through $name', (transport) => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  const opened: Opened[] = []
  const open = async (options: ChariotsOptions = {}, pipelines = [isOddPipeline()]) => {
    const o = await transport.open(new Chariots(pipelines, { path: dir.path, ...options }))
    opened.push(o)
    return o
  }

  beforeEach(async () => {
    dir = await tempDir()
  })
  afterEach(async () => {
    for (const o of opened.splice(0)) await o.close()
    await dir.remove()
  })

  it('runs synchronously when use_worker is false, null or absent', async () => {
    const { raw, client } = await open({ workerPool: new FakePool() })
    for (const body of [
      { pipeline_input: 3, use_worker: false },
      { pipeline_input: 3, use_worker: null },
      { pipeline_input: 3 },
    ]) {
      const res = await raw('/pipelines/is_odd/main', postJson(body))
      expect(await res.json()).toMatchObject({ pipeline_output: true, job_id: null, job_status: 'done' })
    }
    expect((await client.callPipeline('is_odd', 3, { useWorker: false })).jobStatus).toBe('done')
  })

  it('400 NO_WORKER_POOL when the request, the pipeline or the app asks for a worker and there is no pool', async () => {
    const request = await open()
    await expect(request.client.callPipeline('is_odd', 3, { useWorker: true })).rejects.toMatchObject({
      code: ErrorCode.NO_WORKER_POOL,
    })
    const app = await open({ useWorkers: true })
    await expect(app.client.callPipeline('is_odd', 3)).rejects.toMatchObject({
      code: ErrorCode.NO_WORKER_POOL,
    })
    const { Pipeline, Node, ReservedNodes } = await import('@chariots/core')
    const { IsOddOp } = await import('@chariots/testing')
    const asksWorker = new Pipeline(
      [
        new Node(new IsOddOp(), {
          inputNodes: [ReservedNodes.pipelineInput],
          outputNodes: ReservedNodes.pipelineOutput,
        }),
      ],
      'in_worker',
      { useWorker: true },
    )
    const pipeline = await open({}, [asksWorker])
    const res = await pipeline.raw(
      '/pipelines/in_worker/main',
      postJson({ pipeline_input: 3, use_worker: false }),
    )
    expect(res.status).toBe(400)
    expect((await res.json()).error.code).toBe('NO_WORKER_POOL')
  })

  it('503 NO_WORKER_ALIVE when the pool has no live worker; a queued job otherwise', async () => {
    const pool = new FakePool()
    pool.workers = 0
    const { client, raw } = await open({ workerPool: pool })
    const res = await raw('/pipelines/is_odd/main', postJson({ pipeline_input: 3, use_worker: true }))
    expect(res.status).toBe(503)
    expect((await res.json()).error.code).toBe('NO_WORKER_ALIVE')
    pool.workers = 1
    const queued = await client.callPipeline('is_odd', 3, { useWorker: true })
    expect(queued).toMatchObject({ value: null, jobStatus: 'queued', jobId: expect.stringMatching(UUID) })
    expect(queued.versions.size).toBe(0)
    const fetched = await client.fetchJob(queued.jobId!, 'is_odd')
    expect(fetched).toMatchObject({ jobId: queued.jobId, jobStatus: 'queued', progress: null, error: null })
  })

  it('answers failed jobs with their error, waits with waitForJob, 404 and 400 for bad ids', async () => {
    const pool = new FakePool()
    const { client, raw } = await open({ workerPool: pool })
    const { jobId } = await client.callPipeline('is_odd', 3, { useWorker: true })
    setTimeout(() => {
      const job = pool.jobs.get(jobId!)!
      pool.jobs.set(jobId!, {
        ...job,
        status: 'failed',
        error: { code: 'OP_FAILED', message: 'boom' },
        progress: 0.5,
      })
    }, 30)
    const failed = await client.waitForJob(jobId!, 'is_odd', { timeoutMs: 5000 })
    expect(failed).toMatchObject({
      jobStatus: 'failed',
      error: { code: 'OP_FAILED', message: 'boom' },
      progress: 0.5,
    })
    await expect(client.fetchJob('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'JOB_NOT_FOUND',
    })
    const bad = await raw('/jobs/fetch/', postJson({ job_id: '../../etc' }))
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.code).toBe('INVALID_BODY')
    expect((await raw('/jobs/%20x/wait')).status).toBe(400)
    expect((await raw(`/jobs/${jobId}/wait?timeout_ms=soon`)).status).toBe(400)
    const pending = await client.callPipeline('is_odd', 1, { useWorker: true })
    const started = Date.now()
    const still = await client.waitForJob(pending.jobId!, 'is_odd', { timeoutMs: 100 })
    expect(still.jobStatus).toBe('queued')
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('503 QUEUE_FULL with Retry-After when the pool is full; worker_lost on the wire while no worker holds a job', async () => {
    const { InProcessWorkerPool } = await import('@chariots/workers')
    const { slowPipeline } = await import('@chariots/testing')
    const workerPool = new InProcessWorkerPool({ maxQueuedJobs: 1, retryAfterSeconds: 9 })
    const full = await open({ workerPool }, [slowPipeline(2_000)])
    const call = postJson({ pipeline_input: 3, use_worker: true })
    const first = await full.raw('/pipelines/slow/main', call)
    expect(first.status).toBe(200)
    const refused = await full.raw('/pipelines/slow/main', postJson({ pipeline_input: 3, use_worker: true }))
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('9')
    const body = await refused.json()
    expect(body.error).toMatchObject({
      code: 'QUEUE_FULL',
      details: { maxQueuedJobs: 1, retryAfterSeconds: 9 },
    })
    expect(body.error.message).toMatch(/InProcessWorkerPool is full.*maxQueuedJobs 1/)
    // other errors carry no Retry-After
    const pool = new FakePool()
    const { raw, client } = await open({ workerPool: pool })
    const { jobId } = await client.callPipeline('is_odd', 3, { useWorker: true })
    const missing = await raw('/jobs/fetch/', postJson({ job_id: '00000000-0000-4000-8000-000000000000' }))
    expect([missing.status, missing.headers.get('retry-after')]).toEqual([404, null])
    pool.jobs.set(jobId!, { ...pool.jobs.get(jobId!)!, status: 'running', workerLost: true })
    const lost = await raw('/jobs/fetch/', postJson({ job_id: jobId }))
    expect(await lost.json()).toMatchObject({ job_status: 'running', worker_lost: true })
    expect(await client.fetchJob(jobId!, 'is_odd')).toMatchObject({ jobStatus: 'running', workerLost: true })
    const waited = await raw(`/jobs/${jobId}/wait?timeout_ms=0`)
    expect(await waited.json()).toMatchObject({ job_status: 'running', worker_lost: true })
  })

  it('validates the input before queueing a job', async () => {
    const { z } = await import('zod')
    const { Pipeline, Node, ReservedNodes } = await import('@chariots/core')
    const { IsOddOp } = await import('@chariots/testing')
    const typed = new Pipeline(
      [
        new Node(new IsOddOp(), {
          inputNodes: [ReservedNodes.pipelineInput],
          outputNodes: ReservedNodes.pipelineOutput,
        }),
      ],
      'typed',
      { input: z.number() },
    )
    const pool = new FakePool()
    const { client } = await open({ workerPool: pool }, [typed])
    await expect(client.callPipeline('typed', 'three', { useWorker: true })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    })
    expect(pool.queued).toEqual([])
  })
})

describe('Chariots lifecycle', () => {
  it('close() closes the worker pool', async () => {
    const dir = await tempDir()
    const pool = new FakePool()
    const app = new Chariots([isOddPipeline()], { path: dir.path, workerPool: pool })
    await app.close()
    expect(pool.closed).toBe(true)
    await dir.remove()
  })
})
