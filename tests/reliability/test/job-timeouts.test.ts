// Hung jobs, isolated job threads and shutdown grace (issue #12, items 2 and 3), with real
// processes: `chariots serve` and `chariots worker` on test/fixtures/worker-app.ts. A hung job
// (`hung`: a promise that never settles; `spin`: a thread blocked forever; both with jobTimeoutMs
// 2 s) ends failed TIMEOUT while the jobs around it end done; in RQ worker threads the hung thread
// is terminated and replaced. A job that exits or runs out of memory ends only its own thread. A
// worker (and an in-process server) sent SIGTERM with a hung job exits within its grace period
// (CHARIOTS_SHUTDOWN_TIMEOUT_MS 3 s) and the job ends failed WORKER_SHUTDOWN.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { type RunningRedis, startRedis } from '@chariots/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ChariotsProcess,
  type ServerProcess,
  startServer,
  startWorker,
} from './helpers/chariots-process.js'
import { callPipeline, fetchJob, requestJson, waitJob } from './helpers/http-json.js'

const APP = fileURLToPath(new URL('./fixtures/worker-app.ts', import.meta.url))
const GRACE_MS = 3_000
const TIMEOUT_MS = 2_000
const STOPPED =
  /ran longer than its timeout of 2000 ms and was stopped \(its worker thread or process was terminated and replaced\)/
const ABANDONED =
  /ran longer than its timeout of 2000 ms and was failed \(in this process it cannot be stopped/

/** Queues a worker call and answers its job id. */
async function queue(url: string, pipeline: string, input: unknown): Promise<string> {
  const call = await callPipeline(url, pipeline, input, true)
  expect([call.status, call.body?.job_status]).toEqual([200, 'queued'])
  return call.body.job_id as string
}

/** Waits (bounded) until the job runs; answers its progress. */
async function untilRunning(url: string, jobId: string, timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const job = await fetchJob(url, jobId)
    if (job.body?.job_status === 'running' && job.body.progress) return job.body.progress
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} did not run within ${timeoutMs} ms: ${JSON.stringify(job.body)}`)
    await sleep(50)
  }
}

/** Sends SIGTERM and resolves with how long the process took to exit, and its exit code. */
async function terminate(proc: ChariotsProcess): Promise<{ ms: number; code: number | null }> {
  const t0 = performance.now()
  await proc.stop('SIGTERM')
  return { ms: performance.now() - t0, code: proc.child.exitCode }
}

describe('RQWorkerPool: hung, crashing and out-of-memory jobs in chariots worker threads', () => {
  let redis: RunningRedis
  let dir: string
  let env: Record<string, string>
  let server: ServerProcess
  let worker: ChariotsProcess
  const started: ChariotsProcess[] = []

  beforeAll(async () => {
    redis = await startRedis()
    dir = await mkdtemp(join(tmpdir(), 'chariots-job-timeouts-'))
    env = {
      CHARIOTS_TEST_PATH: dir,
      CHARIOTS_TEST_REDIS_URL: redis.url,
      CHARIOTS_TEST_QUEUE: `timeouts-${randomUUID()}`,
      CHARIOTS_TEST_HUNG_TIMEOUT_MS: String(TIMEOUT_MS),
      CHARIOTS_TEST_JOB_MEMORY_MB: '96',
      CHARIOTS_SHUTDOWN_TIMEOUT_MS: String(GRACE_MS),
    }
    server = await startServer(APP, env)
    worker = await startWorker(APP, env, 4)
    started.push(worker)
  }, 90_000)

  afterAll(async () => {
    await Promise.all([server, ...started].filter(Boolean).map((p) => p.stop('SIGKILL')))
    await redis?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  }, 60_000)

  it('a hung job and a spinning one end failed TIMEOUT, their threads are replaced, and the jobs beside them in the same worker end done', async () => {
    const hung = await queue(server.url, 'hung', null)
    const spin = await queue(server.url, 'spin', null)
    const neighbours = await Promise.all(
      Array.from({ length: 8 }, (_, n) => queue(server.url, 'sleepy', { n, ms: 400 })),
    )
    for (const id of [hung, spin]) {
      const ended = await waitJob(server.url, id, 20_000)
      expect(ended.body).toMatchObject({ job_status: 'failed', pipeline_output: null, worker_lost: false })
      expect(ended.body.error.code).toBe('TIMEOUT')
      expect(ended.body.error.message).toMatch(STOPPED)
    }
    for (const [n, id] of neighbours.entries()) {
      const done = await waitJob(server.url, id, 30_000)
      expect(done.body).toMatchObject({ job_status: 'done', pipeline_output: { n, pid: worker.pid } })
    }
    // The replacement threads run jobs: 8 more, 4 at a time, all done.
    const more = await Promise.all(Array.from({ length: 8 }, (_, i) => queue(server.url, 'is_odd', i)))
    for (const [i, id] of more.entries()) {
      expect((await waitJob(server.url, id, 30_000)).body).toMatchObject({
        job_status: 'done',
        pipeline_output: i % 2 === 1,
      })
    }
    expect(worker.exited()).toBe(false)
    expect(worker.output()).toMatch(
      /"msg":"job failed: job \S+ of pipeline 'spin' ran longer than its timeout/,
    )
  })

  it('a job that exits, and one that runs out of memory, fail WORKER_DIED alone: the jobs beside them end done', async () => {
    const exits = await queue(server.url, 'exits', null)
    const oom = await queue(server.url, 'oom', null)
    const neighbours = await Promise.all(
      Array.from({ length: 6 }, (_, n) => queue(server.url, 'sleepy', { n, ms: 600 })),
    )
    const exited = await waitJob(server.url, exits, 30_000)
    expect(exited.body).toMatchObject({ job_status: 'failed', error: { code: 'WORKER_DIED' } })
    expect(exited.body.error.message).toBe('the worker thread running the job exited (code 3)')
    const outOfMemory = await waitJob(server.url, oom, 60_000)
    expect(outOfMemory.body).toMatchObject({ job_status: 'failed', error: { code: 'WORKER_DIED' } })
    expect(outOfMemory.body.error.message).toBe(
      'the worker thread running the job ran out of memory (its heap limit, jobMemoryLimitMb, is 96 MB)',
    )
    for (const [n, id] of neighbours.entries()) {
      const done = await waitJob(server.url, id, 30_000)
      expect(done.body).toMatchObject({ job_status: 'done', pipeline_output: { n, pid: worker.pid } })
    }
    expect(worker.exited()).toBe(false)
  })

  it('SIGTERM with a hung job: chariots worker exits within its grace period, and the job ends failed WORKER_SHUTDOWN', async () => {
    const forever = await queue(server.url, 'hung_forever', null)
    const progress = await untilRunning(server.url, forever)
    expect(progress.pid).toBe(worker.pid)
    const { ms, code } = await terminate(worker)
    console.log(
      `[job-timeouts] chariots worker exited ${(ms / 1000).toFixed(1)} s after SIGTERM (grace ${GRACE_MS / 1000} s)`,
    )
    expect(code).toBe(0)
    expect(ms).toBeGreaterThanOrEqual(GRACE_MS - 200) // it gave the job its grace period
    expect(ms).toBeLessThan(GRACE_MS + 5_000)
    const failed = await fetchJob(server.url, forever)
    expect(failed.body).toMatchObject({ job_status: 'failed', error: { code: 'WORKER_SHUTDOWN' } })
    expect(failed.body.error.message).toMatch(
      new RegExp(
        `of pipeline 'hung_forever' was still running when the worker \\S+-${worker.pid} shut down, and did not finish within the grace period of ${GRACE_MS} ms`,
      ),
    )
    expect(worker.output()).toMatch(/"msg":"worker stopped"/)
  })
})

describe('InProcessWorkerPool: a hung job in chariots serve', () => {
  let dir: string
  let server: ServerProcess

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chariots-job-timeouts-ip-'))
    server = await startServer(APP, {
      CHARIOTS_TEST_PATH: dir,
      CHARIOTS_TEST_POOL: 'in-process',
      CHARIOTS_TEST_CONCURRENCY: '2',
      CHARIOTS_TEST_HUNG_TIMEOUT_MS: String(TIMEOUT_MS),
      CHARIOTS_SHUTDOWN_TIMEOUT_MS: String(GRACE_MS),
    })
  }, 60_000)

  afterAll(async () => {
    await server?.stop('SIGKILL')
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('a hung job ends failed TIMEOUT, its slot goes to the next jobs, which end done; a save of its pipeline answers instead of hanging', async () => {
    const hung = await queue(server.url, 'hung', null)
    const neighbours = await Promise.all(
      Array.from({ length: 6 }, (_, n) => queue(server.url, 'sleepy', { n, ms: 300 })),
    )
    const ended = await waitJob(server.url, hung, 20_000)
    expect(ended.body).toMatchObject({ job_status: 'failed', error: { code: 'TIMEOUT' } })
    expect(ended.body.error.message).toMatch(ABANDONED)
    for (const [n, id] of neighbours.entries()) {
      expect((await waitJob(server.url, id, 30_000)).body).toMatchObject({
        job_status: 'done',
        pipeline_output: { n, pid: server.pid },
      })
    }
    // Its body still runs (JS cannot stop it) and holds the pipeline: a save waits busyTimeoutMs
    // (10 s), then answers 503 TIMEOUT naming the job, instead of hanging.
    const t0 = performance.now()
    const save = await requestJson(server.url, '/pipelines/hung/save', null, { timeoutMs: 30_000 })
    expect(save.status).toBe(503)
    expect(save.body.error.code).toBe('TIMEOUT')
    expect(save.body.error.message).toMatch(/pipeline 'hung' stayed busy for 10000 ms/)
    expect(performance.now() - t0).toBeLessThan(20_000)
  })

  it('SIGTERM with a hung job: chariots serve (in-process pool) exits within its grace period, and a client waiting for the job gets it failed WORKER_SHUTDOWN', async () => {
    const forever = await queue(server.url, 'hung_forever', null)
    await untilRunning(server.url, forever)
    const held = waitJob(server.url, forever, 600_000) // a client waiting for the job
    await sleep(100)
    const { ms, code } = await terminate(server)
    console.log(
      `[job-timeouts] chariots serve exited ${(ms / 1000).toFixed(1)} s after SIGTERM (grace ${GRACE_MS / 1000} s)`,
    )
    expect(code).toBe(0)
    expect(ms).toBeGreaterThanOrEqual(GRACE_MS - 200)
    expect(ms).toBeLessThan(GRACE_MS + 5_000)
    // The waiting client got the job's end before the server went: failed WORKER_SHUTDOWN.
    const answer = await held
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ job_status: 'failed', error: { code: 'WORKER_SHUTDOWN' } })
    expect(answer.body.error.message).toMatch(
      /of pipeline 'hung_forever' was still running when the InProcessWorkerPool shut down, and did not finish within the grace period of 3000 ms/,
    )
  })
})
