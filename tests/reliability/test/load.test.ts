// Load: 10,000 synchronous calls at 64 concurrent connections (autocannon) and 2,000 jobs through
// RQWorkerPool with two `chariots worker` processes, against a `chariots serve` child process run
// with --expose-gc. Every answer is checked against its own input; the server's heap after full
// garbage collections (read through the `memory` pipeline, which runs in the server) is back
// within 20% of before. A second server with an InProcessWorkerPool shows that its finished-job
// bookkeeping stays bounded. CHARIOTS_RELIABILITY_FULL=1 multiplies the counts by 5.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type RunningRedis, startRedis } from '@chariots/testing'
import autocannon from 'autocannon'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ChariotsProcess,
  type ServerProcess,
  startServer,
  startWorker,
} from './helpers/chariots-process.js'
import { callPipeline, fetchJob, mapLimit, waitJob } from './helpers/http-json.js'

const APP = fileURLToPath(new URL('./fixtures/worker-app.ts', import.meta.url))
const FULL = process.env.CHARIOTS_RELIABILITY_FULL === '1'
const SYNC_CALLS = FULL ? 50_000 : 10_000
const CONNECTIONS = 64
const ASYNC_JOBS = FULL ? 10_000 : 2_000
const IN_FLIGHT = 64
const IN_PROCESS_KEPT = 500

interface Memory {
  gc: boolean
  rss: number
  heapUsed: number
  heapTotal: number
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`

/** The server's memory after three full GCs (the `memory` pipeline runs in the server process). */
async function serverMemory(url: string): Promise<Memory> {
  const res = await callPipeline(url, 'memory', null)
  expect(res.status).toBe(200)
  const memory = res.body.pipeline_output as Memory
  expect(memory.gc).toBe(true)
  return memory
}

/** The fields of autocannon's result this file reads (autocannon ships no types). */
interface AutocannonResult {
  requests: { total: number }
  latency: { p50: number; p99: number; max: number }
  '2xx': number
  '5xx': number
  non2xx: number
  errors: number
  timeouts: number
  mismatches: number
}

/** What {@link syncLoad} saw. */
interface SyncLoad {
  result: AutocannonResult
  /** input → status and body, one entry per answer. */
  answers: Map<number, { status: number; body: string }>
  inputsSent: number
  seconds: number
}

/** `count` calls of `is_odd` with inputs 0, 1, 2, …, at `connections` concurrent connections. */
async function syncLoad(url: string, count: number, connections: number): Promise<SyncLoad> {
  const answers = new Map<number, { status: number; body: string }>()
  let next = 0
  const t0 = performance.now()
  const result: AutocannonResult = await autocannon({
    url,
    connections,
    amount: count,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/pipelines/is_odd/main',
        headers: { 'content-type': 'application/json' },
        // One request at a time per connection (no pipelining), so the context of a response is
        // the one its request was built with.
        setupRequest: (request: any, context: any) => {
          context.n = next++
          return { ...request, body: JSON.stringify({ pipeline_input: context.n }) }
        },
        onResponse: (status: number, body: string, context: any) => {
          answers.set(context.n, { status, body })
        },
      },
    ],
  })
  return { result, answers, inputsSent: next, seconds: (performance.now() - t0) / 1000 }
}

/** What {@link asyncLoad} saw. */
interface AsyncLoad {
  ids: string[]
  submitted: Awaited<ReturnType<typeof callPipeline>>[]
  finished: Awaited<ReturnType<typeof waitJob>>[]
  seconds: number
}

/**
 * `count` `is_odd` jobs (inputs 0…count−1), `IN_FLIGHT` requests at a time: `burst` queues them all,
 * then waits for each; `each` waits for every job right after queuing it (at most `IN_FLIGHT`
 * unfinished jobs, for a pool that keeps only its latest finished jobs).
 */
async function asyncLoad(url: string, count: number, mode: 'burst' | 'each'): Promise<AsyncLoad> {
  const inputs = Array.from({ length: count }, (_, i) => i)
  const t0 = performance.now()
  const submit = (n: number) => callPipeline(url, 'is_odd', n, true)
  const wait = (id: string) => waitJob(url, id, 60_000)
  let submitted: AsyncLoad['submitted']
  let finished: AsyncLoad['finished']
  if (mode === 'burst') {
    submitted = await mapLimit(inputs, IN_FLIGHT, submit)
    finished = await mapLimit(submitted, IN_FLIGHT, (s) => wait(s.body?.job_id))
  } else {
    const both = await mapLimit(inputs, IN_FLIGHT, async (n) => {
      const s = await submit(n)
      return { s, f: await wait(s.body?.job_id) }
    })
    submitted = both.map((b) => b.s)
    finished = both.map((b) => b.f)
  }
  const ids = submitted.map((s) => s.body?.job_id as string)
  return { ids, submitted, finished, seconds: (performance.now() - t0) / 1000 }
}

/** Asserts every job was queued (200, `queued`) and ended `done` with `n % 2 === 1`, under its own id. */
function expectAllDone(load: AsyncLoad) {
  const badSubmits = load.submitted.filter((s) => s.status !== 200 || s.body?.job_status !== 'queued')
  expect(badSubmits).toEqual([])
  expect(new Set(load.ids).size).toBe(load.ids.length)
  const wrong = load.finished.flatMap((f, n) =>
    f.status === 200 &&
    f.body.job_status === 'done' &&
    f.body.job_id === load.ids[n] &&
    f.body.pipeline_output === (n % 2 === 1) &&
    f.body.error === null
      ? []
      : [{ n, status: f.status, body: f.body }],
  )
  expect(wrong.slice(0, 5)).toEqual([])
  expect(wrong.length).toBe(0)
}

describe('load: chariots serve with RQWorkerPool and 2 chariots worker processes', () => {
  let redis: RunningRedis
  let dir: string
  let server: ServerProcess
  const processes: ChariotsProcess[] = []
  let before: Memory
  let sync: Promise<SyncLoad> | undefined
  let jobs: Promise<AsyncLoad> | undefined
  // Each case runs the load it needs once, so any case also runs alone (`-t`).
  const runSync = () => (sync ??= syncLoad(server.url, SYNC_CALLS, CONNECTIONS))
  const runJobs = () => (jobs ??= runSync().then(() => asyncLoad(server.url, ASYNC_JOBS, 'burst')))

  beforeAll(async () => {
    redis = await startRedis()
    dir = await mkdtemp(join(tmpdir(), 'chariots-load-'))
    const env = {
      CHARIOTS_TEST_PATH: dir,
      CHARIOTS_TEST_REDIS_URL: redis.url,
      CHARIOTS_TEST_QUEUE: `load-${randomUUID()}`,
    }
    const started = await Promise.all([
      startServer(APP, env, { nodeArgs: ['--expose-gc'] }),
      startWorker(APP, env, 4),
      startWorker(APP, env, 4),
    ])
    server = started[0]
    processes.push(...started)
    // Warm up every path the load takes (JIT, the pool's queue and event reader, the router), so
    // the heap measured next is the server's steady state.
    const warm = await syncLoad(server.url, 1_000, CONNECTIONS)
    expect(warm.result.non2xx).toBe(0)
    const warmJobs = await asyncLoad(server.url, 100, 'burst')
    expectAllDone(warmJobs)
    expect((await fetchJob(server.url, warmJobs.ids[0]!)).status).toBe(200)
    before = await serverMemory(server.url)
  }, 120_000)

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()))
    await redis?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  }, 60_000)

  it(`${SYNC_CALLS} sync calls at ${CONNECTIONS} connections: every answer 200 and right for its input, no error or timeout`, async () => {
    const { result, answers, inputsSent, seconds } = await runSync()
    expect({
      total: result.requests.total,
      '2xx': result['2xx'],
      non2xx: result.non2xx,
      '5xx': result['5xx'],
      errors: result.errors,
      timeouts: result.timeouts,
      mismatches: result.mismatches,
    }).toEqual({
      total: SYNC_CALLS,
      '2xx': SYNC_CALLS,
      non2xx: 0,
      '5xx': 0,
      errors: 0,
      timeouts: 0,
      mismatches: 0,
    })
    expect(answers.size).toBe(SYNC_CALLS)
    expect(inputsSent).toBeGreaterThanOrEqual(SYNC_CALLS)
    const wrong: unknown[] = []
    for (const [n, { status, body }] of answers) {
      const parsed = JSON.parse(body)
      const right =
        status === 200 &&
        parsed.pipeline_output === (n % 2 === 1) &&
        parsed.job_id === null &&
        parsed.job_status === 'done' &&
        typeof parsed.versions?.isoddop === 'string'
      if (!right) wrong.push({ n, status, body })
    }
    expect(wrong.slice(0, 5)).toEqual([])
    console.log(
      `[load] ${SYNC_CALLS} sync calls, ${CONNECTIONS} connections: ${Math.round(SYNC_CALLS / seconds)} req/s (${seconds.toFixed(1)} s), latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
    )
  })

  it(`${ASYNC_JOBS} async jobs through RQWorkerPool and 2 worker processes: every job id ends done with its value`, async () => {
    const load = await runJobs()
    expectAllDone(load)
    // Read back by id once more: a finished job stays readable with its own result.
    const last = load.ids.length - 1
    const again = await fetchJob(server.url, load.ids[last]!)
    expect(again.body).toMatchObject({
      job_id: load.ids[last],
      job_status: 'done',
      pipeline_output: last % 2 === 1,
    })
    console.log(
      `[load] ${ASYNC_JOBS} async jobs (all queued, then each waited; ${IN_FLIGHT} requests in flight): ${(ASYNC_JOBS / load.seconds).toFixed(0)} jobs/s end to end (${load.seconds.toFixed(1)} s)`,
    )
  })

  it('the server heap after GC is back within 20% of before the load (RQWorkerPool keeps no per-job state)', async () => {
    await runJobs()
    const after = await serverMemory(server.url)
    console.log(
      `[load] RQ server after GC: heapUsed ${mb(before.heapUsed)} → ${mb(after.heapUsed)} (${((after.heapUsed / before.heapUsed - 1) * 100).toFixed(1)}%), rss ${mb(before.rss)} → ${mb(after.rss)}`,
    )
    expect(after.heapUsed).toBeLessThanOrEqual(before.heapUsed * 1.2)
    expect(after.heapUsed).toBeGreaterThanOrEqual(before.heapUsed * 0.8)
  })
})

describe('load: chariots serve with an InProcessWorkerPool keeps a bounded map of finished jobs', () => {
  let dir: string
  let server: ServerProcess

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chariots-load-inproc-'))
    server = await startServer(
      APP,
      {
        CHARIOTS_TEST_PATH: dir,
        CHARIOTS_TEST_POOL: 'in-process',
        CHARIOTS_TEST_CONCURRENCY: '4',
        CHARIOTS_TEST_MAX_FINISHED: String(IN_PROCESS_KEPT),
      },
      { nodeArgs: ['--expose-gc'] },
    )
  }, 60_000)

  afterAll(async () => {
    await server?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  }, 60_000)

  it(`${ASYNC_JOBS} jobs: every one ends done with its value, only the last ${IN_PROCESS_KEPT} stay readable, and the heap after GC is back within 20%`, async () => {
    const warm = await asyncLoad(server.url, 2 * IN_PROCESS_KEPT, 'each') // fills the map to its bound
    expectAllDone(warm)
    const before = await serverMemory(server.url)
    const load = await asyncLoad(server.url, ASYNC_JOBS, 'each')
    expectAllDone(load)
    const after = await serverMemory(server.url)
    const fetched = await mapLimit([...warm.ids, ...load.ids], IN_FLIGHT, (id) => fetchJob(server.url, id))
    const kept = fetched.filter((f) => f.status === 200)
    const forgotten = fetched.filter((f) => f.status === 404)
    expect({ kept: kept.length, forgotten: forgotten.length }).toEqual({
      kept: IN_PROCESS_KEPT,
      forgotten: warm.ids.length + ASYNC_JOBS - IN_PROCESS_KEPT,
    })
    expect(new Set(kept.map((k) => k.body.job_status))).toEqual(new Set(['done']))
    expect(new Set(forgotten.map((f) => f.body.error.code))).toEqual(new Set(['JOB_NOT_FOUND']))
    // The kept ones are the newest: all from the load, none from the warm-up.
    const keptIds = new Set(kept.map((k) => k.body.job_id as string))
    expect(warm.ids.filter((id) => keptIds.has(id))).toEqual([])
    console.log(
      `[load] in-process pool (concurrency 4, maxFinishedJobs ${IN_PROCESS_KEPT}): ${(ASYNC_JOBS / load.seconds).toFixed(0)} jobs/s; heapUsed after GC ${mb(before.heapUsed)} → ${mb(after.heapUsed)} (${((after.heapUsed / before.heapUsed - 1) * 100).toFixed(1)}%), rss ${mb(before.rss)} → ${mb(after.rss)}`,
    )
    expect(after.heapUsed).toBeLessThanOrEqual(before.heapUsed * 1.2)
    expect(after.heapUsed).toBeGreaterThanOrEqual(before.heapUsed * 0.8)
  })
})
