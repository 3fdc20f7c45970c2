// Worker faults: `chariots worker` processes killed with SIGKILL at random moments while a stream
// of jobs runs (the victim is a worker running a job whenever one is), with the stall settings
// shortened (lockDuration 1.5 s, stalledInterval 0.5 s, maxStalledCount 1). A pool of four worker
// processes is kept alive by starting a replacement for each one killed. Every job must end `done`
// with its value or `failed` with a reason; none may stay queued or running. A job whose worker is
// killed twice ends `failed` JOB_STALLED instead of looping. The kills use a seeded generator:
// CHARIOTS_RELIABILITY_SEED=<seed printed by a run> replays one; CHARIOTS_RELIABILITY_FULL=1 kills 60
// times instead of 20.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { type RunningRedis, startRedis } from '@chariots/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ChariotsProcess,
  isAlive,
  type ServerProcess,
  startServer,
  startWorker,
} from './helpers/chariots-process.js'
import { callPipeline, fetchJob, mapLimit, waitJob } from './helpers/http-json.js'
import { seededRandom } from './helpers/seeded-random.js'

const APP = fileURLToPath(new URL('./fixtures/worker-app.ts', import.meta.url))
const FULL = process.env.CHARIOTS_RELIABILITY_FULL === '1'
const KILLS = FULL ? 60 : 20
const POOL_SIZE = 4
const MAX_JOBS = FULL ? 2_000 : 600
const STALLED_MESSAGE =
  'the worker running the job stopped (killed, crashed, or its event loop was blocked past lockDuration) more than maxStalledCount (1) times; the job was not finished'

describe('worker faults: chariots worker processes killed with SIGKILL during a stream of jobs', () => {
  let redis: RunningRedis
  let redisClient: Redis
  let dir: string
  let queue: string
  let env: Record<string, string>
  let server: ServerProcess
  /** Live workers that finished starting. */
  const ready = new Set<ChariotsProcess>()
  /** Every worker ever started (the pids a job may report). */
  const everStarted: ChariotsProcess[] = []
  const starting = new Set<Promise<ChariotsProcess>>()

  const addWorker = () => {
    const p = startWorker(APP, env, 1)
    starting.add(p)
    void p.then(
      (w) => {
        starting.delete(p)
        everStarted.push(w)
        ready.add(w)
      },
      () => starting.delete(p),
    )
    return p
  }
  /** Pids of the processes running the queue's active jobs (their progress names the pid). */
  const busyPids = async () => {
    const active = await redisClient.lrange(`bull:${queue}:active`, 0, -1)
    const pids = new Set<number>()
    for (const id of active) {
      const progress = await redisClient.hget(`bull:${queue}:${id}`, 'progress')
      const pid = progress ? (JSON.parse(progress) as { pid?: number }).pid : undefined
      if (pid) pids.add(pid)
    }
    return pids
  }
  const bullJob = (jobId: string) => redisClient.hgetall(`bull:${queue}:${jobId}`)

  /** Waits (bounded) until `n` workers are ready. */
  const untilReady = async (n: number, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs
    while (ready.size < n) {
      if (Date.now() > deadline)
        throw new Error(`only ${ready.size} of ${n} workers ready after ${timeoutMs} ms`)
      await sleep(50)
    }
  }
  const kill = async (victim: ChariotsProcess) => {
    ready.delete(victim)
    await victim.stop('SIGKILL')
    expect(victim.child.signalCode).toBe('SIGKILL')
    void addWorker() // keep the pool at its size
  }

  beforeAll(async () => {
    redis = await startRedis()
    redisClient = new Redis(redis.url)
    dir = await mkdtemp(join(tmpdir(), 'chariots-worker-faults-'))
    queue = `faults-${randomUUID()}`
    env = {
      CHARIOTS_TEST_PATH: dir,
      CHARIOTS_TEST_REDIS_URL: redis.url,
      CHARIOTS_TEST_QUEUE: queue,
      CHARIOTS_TEST_LOCK_MS: '1500',
      CHARIOTS_TEST_STALLED_MS: '500',
      CHARIOTS_TEST_MAX_STALLED: '1',
    }
    server = await startServer(APP, env)
    for (let i = 0; i < POOL_SIZE; i++) void addWorker()
    await untilReady(POOL_SIZE, 60_000)
  }, 90_000)

  afterAll(async () => {
    await Promise.allSettled([...starting])
    await Promise.all([server, ...everStarted].filter(Boolean).map((p) => p.stop('SIGKILL')))
    await redisClient?.quit()
    await redis?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  }, 60_000)

  it(`${KILLS} SIGKILLs at random moments: every job ends done with its value or failed JOB_STALLED, none stuck`, async () => {
    const rnd = seededRandom()
    console.log(`[worker-faults] seed ${rnd.seed} (CHARIOTS_RELIABILITY_SEED=${rnd.seed} replays the kills)`)
    const jobs: { n: number; id: string }[] = []
    const refused: unknown[] = []
    let killing = true
    // The stream: one job every 100–200 ms, each sleeping 100–400 ms in a worker: slow enough that
    // little backlog builds up while killed workers restart (each takes 1.5–3 s to start).
    const stream = (async () => {
      for (let n = 0; killing && n < MAX_JOBS; n++) {
        const res = await callPipeline(server.url, 'sleepy', { n, ms: rnd.int(100, 400) }, true)
        if (res.status === 200 && res.body.job_status === 'queued') jobs.push({ n, id: res.body.job_id })
        else refused.push({ n, status: res.status, body: res.body })
        await sleep(rnd.int(100, 200))
      }
    })()
    const t0 = performance.now()
    let midJob = 0
    try {
      for (let k = 0; k < KILLS; k++) {
        await sleep(rnd.int(300, 1_000))
        await untilReady(2) // one always stays alive while another is killed
        const busy = await busyPids()
        const candidates = [...ready].filter((w) => busy.has(w.pid))
        if (candidates.length > 0) midJob++
        await kill(rnd.pick(candidates.length > 0 ? candidates : [...ready]))
      }
    } finally {
      killing = false
      await stream
    }
    const killSeconds = (performance.now() - t0) / 1000
    expect(refused).toEqual([])
    expect(jobs.length).toBeGreaterThanOrEqual(KILLS * 2)

    // Every job ends (stalled recovery takes lockDuration + stalledInterval after the last kill).
    const t1 = performance.now()
    const ended = await mapLimit(jobs, 32, ({ id }) => waitJob(server.url, id, 30_000))
    const settleSeconds = (performance.now() - t1) / 1000
    const final = await mapLimit(jobs, 32, ({ id }) => fetchJob(server.url, id))
    const pids = new Set(everStarted.map((w) => w.pid))
    const byStatus: Record<string, number> = {}
    const wrong: unknown[] = []
    for (const [i, { n, id }] of jobs.entries()) {
      const { status, body } = final[i]!
      byStatus[body?.job_status] = (byStatus[body?.job_status] ?? 0) + 1
      const ok =
        status === 200 &&
        ended[i]!.status === 200 &&
        body.job_id === id &&
        ((body.job_status === 'done' &&
          body.pipeline_output?.n === n &&
          pids.has(body.pipeline_output?.pid) &&
          body.error === null) ||
          (body.job_status === 'failed' &&
            body.pipeline_output === null &&
            body.error?.code === 'JOB_STALLED' &&
            body.error?.message === STALLED_MESSAGE))
      if (!ok) wrong.push({ n, id, status, body, bull: await bullJob(id) })
    }
    expect(wrong.slice(0, 3)).toEqual([])
    expect((byStatus.done ?? 0) + (byStatus.failed ?? 0)).toBe(jobs.length)

    // The kills landed inside jobs: jobs were recovered from dead workers (BullMQ's stalled counter).
    const stalled = (await mapLimit(jobs, 32, async ({ id }) => Number((await bullJob(id)).stc ?? 0))).filter(
      (c) => c > 0,
    ).length
    expect(midJob).toBeGreaterThanOrEqual(KILLS / 2)
    expect(stalled).toBeGreaterThanOrEqual(midJob / 2)
    // Every victim is gone; the pool is back at its size.
    expect(everStarted.filter((w) => !ready.has(w) && isAlive(w.pid)).map((w) => w.pid)).toEqual([])
    await untilReady(POOL_SIZE)
    console.log(
      `[worker-faults] ${KILLS} kills in ${killSeconds.toFixed(1)} s (${midJob} of a worker running a job); ${jobs.length} jobs: ${byStatus.done ?? 0} done, ${byStatus.failed ?? 0} failed JOB_STALLED; ${stalled} recovered from a dead worker at least once; all ended ${settleSeconds.toFixed(1)} s after the last kill`,
    )
  })

  it('a job whose worker is killed twice ends failed JOB_STALLED (maxStalledCount 1) instead of looping', async () => {
    await untilReady(POOL_SIZE)
    const call = await callPipeline(server.url, 'sleepy', { n: -1, ms: 120_000 }, true)
    expect(call.status).toBe(200)
    const jobId = call.body.job_id as string
    const victims: number[] = []
    for (let run = 1; run <= 2; run++) {
      // Wait until a live worker, not an earlier victim, runs the job (its progress names it).
      let runner: ChariotsProcess | undefined
      const deadline = Date.now() + 20_000
      while (!runner && Date.now() < deadline) {
        const job = await fetchJob(server.url, jobId)
        expect(job.body.job_status).not.toBe('failed')
        const pid = job.body.job_status === 'running' ? job.body.progress?.pid : undefined
        runner = [...ready].find((w) => w.pid === pid && !victims.includes(pid))
        if (!runner) await sleep(50)
      }
      expect(runner, `run ${run} of the job did not start within 20 s`).toBeDefined()
      victims.push(runner!.pid)
      await kill(runner!)
    }
    const t0 = performance.now()
    const ended = await waitJob(server.url, jobId, 20_000)
    expect(ended.body).toEqual({
      pipeline_output: null,
      versions: {},
      job_id: jobId,
      job_status: 'failed',
      progress: { pid: victims[1] },
      error: { code: 'JOB_STALLED', message: STALLED_MESSAGE },
      worker_lost: false,
    })
    expect(performance.now() - t0).toBeLessThan(5_000) // lockDuration 1.5 s + stalledInterval 0.5 s, twice at most
    expect((await bullJob(jobId)).stc).toBe('2') // stalled twice: recovered once, then failed
    // It stays failed: no worker picks it up again.
    await sleep(2_500)
    expect((await fetchJob(server.url, jobId)).body.job_status).toBe('failed')
  })
})
