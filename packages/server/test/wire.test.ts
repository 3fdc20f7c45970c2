import { isOddPipeline } from '@chariots/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Chariots } from '../src/index.js'
import { FakePool } from './helpers/fake-pool.js'
import { type Opened, tempDir, transports, VERSION_RE } from './helpers/transports.js'

/** One exchange of docs/WIRE.md: the raw request the Python client sends and what it reads back. */
interface Exchange {
  call: string
  method: 'GET' | 'POST'
  path: string
  /** The raw body text (`null` as the client serializes "no data"), or undefined for none. */
  body?: string
  status: number
  answer: unknown
  /**
   * The answer may hold more keys than docs/WIRE.md lists (save, load and health_check answer what they
   * did; the Python client reads only the status, or `is_loaded`).
   */
  superset?: boolean
}

const version = expect.stringMatching(VERSION_RE)
const versions = { isoddop: version }

const exchanges: Exchange[] = [
  {
    call: 'call_pipeline(p, 4)',
    method: 'POST',
    path: '/pipelines/simple_pipeline/main',
    body: '{"pipeline_input": 4, "use_worker": false}',
    status: 200,
    answer: { pipeline_output: false, versions, job_id: null, job_status: 'done' },
  },
  {
    call: 'call_pipeline(p, 3)',
    method: 'POST',
    path: '/pipelines/simple_pipeline/main',
    body: '{"pipeline_input": 3, "use_worker": false}',
    status: 200,
    answer: { pipeline_output: true, versions, job_id: null, job_status: 'done' },
  },
  {
    call: 'call_pipeline(p) (no input)',
    method: 'POST',
    path: '/pipelines/simple_pipeline/main',
    body: '{"pipeline_input": null, "use_worker": false}',
    status: 200,
    answer: { pipeline_output: false, versions, job_id: null, job_status: 'done' },
  },
  {
    call: 'use_worker null',
    method: 'POST',
    path: '/pipelines/simple_pipeline/main',
    body: '{"pipeline_input": 5, "use_worker": null}',
    status: 200,
    answer: { pipeline_output: true, versions, job_id: null, job_status: 'done' },
  },
  {
    call: 'use_worker absent, extra keys ignored',
    method: 'POST',
    path: '/pipelines/simple_pipeline/main',
    body: '{"pipeline_input": 5, "extra": [1, 2]}',
    status: 200,
    answer: { pipeline_output: true, versions, job_id: null, job_status: 'done' },
  },
  {
    call: 'call_pipeline(p, x, use_worker=True) with no pool',
    method: 'POST',
    path: '/pipelines/simple_pipeline/main',
    body: '{"pipeline_input": 5, "use_worker": true}',
    status: 400,
    answer: {
      error: { code: 'NO_WORKER_POOL', message: expect.stringContaining("pipeline 'simple_pipeline'") },
    },
  },
  {
    call: 'save_pipeline(p)',
    method: 'POST',
    path: '/pipelines/simple_pipeline/save',
    body: 'null',
    status: 200,
    answer: { saved: {}, versions },
    superset: true,
  },
  {
    call: 'load_pipeline(p)',
    method: 'POST',
    path: '/pipelines/simple_pipeline/load',
    body: 'null',
    status: 200,
    answer: { loaded: true, versions },
    superset: true,
  },
  {
    call: 'pipeline_versions(p)',
    method: 'POST',
    path: '/pipelines/simple_pipeline/versions',
    body: 'null',
    status: 200,
    answer: versions,
  },
  {
    call: 'is_pipeline_loaded(p)',
    method: 'GET',
    path: '/pipelines/simple_pipeline/health_check',
    status: 200,
    answer: { is_loaded: true },
    superset: true,
  },
  {
    call: 'health check',
    method: 'GET',
    path: '/health_check',
    status: 200,
    answer: { simple_pipeline: true },
  },
  {
    call: 'available pipelines',
    method: 'GET',
    path: '/available_pipelines',
    status: 200,
    answer: ['simple_pipeline'],
  },
  {
    call: 'call_pipeline on an unknown pipeline ("not present")',
    method: 'POST',
    path: '/pipelines/other_pipeline/main',
    body: '{"pipeline_input": 4, "use_worker": false}',
    status: 404,
    answer: {
      error: {
        code: 'PIPELINE_NOT_FOUND',
        message: expect.stringContaining("'other_pipeline'"),
        details: { pipeline: 'other_pipeline', available: ['simple_pipeline'] },
      },
    },
  },
  {
    call: 'fetch_job with no pool',
    method: 'POST',
    path: '/jobs/fetch/',
    body: '{"job_id": "1"}',
    status: 400,
    answer: { error: { code: 'NO_WORKER_POOL', message: expect.any(String) } },
  },
]

describe.each(transports)('docs/WIRE.md exchanges through $name', (transport) => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let opened: Opened | undefined
  const send = (o: Opened, method: string, path: string, body?: string) =>
    o.raw(path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body })

  beforeEach(async () => {
    dir = await tempDir()
  })
  afterEach(async () => {
    await opened?.close()
    opened = undefined
    await dir.remove()
  })

  it.each(exchanges)('$call: $method $path → $status', async (x) => {
    opened = await transport.open(new Chariots([isOddPipeline('simple_pipeline')], { path: dir.path }))
    const res = await send(opened, x.method, x.path, x.body)
    expect(res.status).toBe(x.status)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const answer = await res.json()
    if (x.superset) expect(answer).toMatchObject(x.answer as object)
    else expect(answer).toEqual(x.answer)
  })

  it('queues a worker call and fetches the job with the same id (job routes)', async () => {
    const pool = new FakePool()
    const app = new Chariots([isOddPipeline('simple_pipeline')], { path: dir.path, workerPool: pool })
    expect(pool.attached).toBe(app.host)
    opened = await transport.open(app)
    const res = await send(
      opened,
      'POST',
      '/pipelines/simple_pipeline/main',
      '{"pipeline_input": 5, "use_worker": true}',
    )
    expect(res.status).toBe(200)
    const queued = await res.json()
    expect(queued).toEqual({
      pipeline_output: null,
      versions: {},
      job_id: expect.any(String),
      job_status: 'queued',
    })
    expect(pool.queued).toEqual([{ pipeline: 'simple_pipeline', input: 5 }])
    for (const path of ['/jobs/fetch/', '/jobs/fetch']) {
      const fetched = await send(opened, 'POST', path, JSON.stringify({ job_id: queued.job_id }))
      expect(await fetched.json()).toEqual({ ...queued, progress: null, error: null, worker_lost: false })
    }
    const done = {
      ...pool.jobs.get(queued.job_id)!,
      status: 'done' as const,
      value: true,
      versions: { isoddop: 'v' },
    }
    setTimeout(() => pool.jobs.set(queued.job_id, done), 30)
    const waited = await send(opened, 'GET', `/jobs/${queued.job_id}/wait?timeout_ms=5000`)
    expect(await waited.json()).toEqual({
      pipeline_output: true,
      versions: { isoddop: 'v' },
      job_id: queued.job_id,
      job_status: 'done',
      progress: null,
      error: null,
      worker_lost: false,
    })
  })
})
