// Redis killed (SIGKILL) and started again on the same port while a `chariots serve` process and two
// `chariots worker` processes run, with a stream of 200 synchronous calls going the whole time.
// Redis keeps its data in an append-only file fsynced on every write. Synchronous calls never need
// Redis; calls that ask for a worker, job fetches and waits answer 503 within a second while it is
// down (the server's connection has no offline queue), and work again once it is back; jobs that
// finished before the crash still answer `done` with their value, and jobs caught running end
// `done` or `failed` with a reason.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ChariotsProcess,
  type ServerProcess,
  startServer,
  startWorker,
} from './helpers/chariots-process.js'
import {
  callPipeline,
  fetchJob,
  type JsonAnswer,
  mapLimit,
  type NoAnswer,
  waitJob,
} from './helpers/http-json.js'
import { type RestartableRedis, startRestartableRedis } from './helpers/restartable-redis.js'

const APP = fileURLToPath(new URL('./fixtures/worker-app.ts', import.meta.url))
const SYNC_CALLS = 200
const SYNC_EVERY_MS = 40
const JOBS_BEFORE = 50
const JOBS_AFTER = 50
const DOWN_MS = 3_000
const COMMAND_TIMEOUT_MS = 500

type Answer = JsonAnswer | NoAnswer
interface Timed {
  at: number
  answer: Answer
}

describe('Redis restarted under load (SIGKILL, appendonly + appendfsync always)', () => {
  let redis: RestartableRedis
  let dir: string
  let server: ServerProcess
  let queue: string
  const processes: ChariotsProcess[] = []

  beforeAll(async () => {
    redis = await startRestartableRedis()
    dir = await mkdtemp(join(tmpdir(), 'chariots-redis-restart-'))
    queue = `restart-${randomUUID()}`
    const env = {
      CHARIOTS_TEST_PATH: dir,
      CHARIOTS_TEST_REDIS_URL: redis.url,
      CHARIOTS_TEST_QUEUE: queue,
      CHARIOTS_TEST_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
      CHARIOTS_TEST_LOCK_MS: '2000',
      CHARIOTS_TEST_STALLED_MS: '1000',
    }
    const started = await Promise.all([
      startServer(APP, env),
      startWorker(APP, env, 2),
      startWorker(APP, env, 2),
    ])
    server = started[0]
    processes.push(...started)
  }, 60_000)

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')))
    await redis?.remove()
    if (dir) await rm(dir, { recursive: true, force: true })
  }, 60_000)

  it('sync calls all answer; worker calls, fetches and waits answer 503 in < 1 s while down; nothing finished is lost; jobs run again after', async () => {
    // Jobs finished before the crash.
    const before = await mapLimit(
      Array.from({ length: JOBS_BEFORE }, (_, i) => 1_000 + i),
      16,
      async (n) => {
        const call = await callPipeline(server.url, 'is_odd', n, true)
        expect(call.status).toBe(200)
        const done = await waitJob(server.url, call.body.job_id, 10_000)
        expect(done.body).toMatchObject({ job_status: 'done', pipeline_output: n % 2 === 1 })
        return { n, id: call.body.job_id as string }
      },
    )
    // Jobs still running when Redis dies.
    const caught = await mapLimit([0, 1, 2, 3], 4, async (n) => {
      const call = await callPipeline(server.url, 'sleepy', { n, ms: 1_500 }, true)
      expect(call.status).toBe(200)
      return { n, id: call.body.job_id as string }
    })

    // The stream of synchronous calls, the whole time.
    const sync: Timed[] = []
    const stream = (async () => {
      for (let n = 0; n < SYNC_CALLS; n++) {
        const at = Date.now()
        sync.push({ at, answer: await callPipeline(server.url, 'is_odd', n) })
        await sleep(Math.max(0, SYNC_EVERY_MS - (Date.now() - at)))
      }
    })()

    // The caught jobs are running when Redis dies; one of them has a wait held across the restart.
    const deadline = Date.now() + 10_000
    let statuses: string[] = []
    while (Date.now() < deadline) {
      statuses = (await mapLimit(caught, 4, ({ id }) => fetchJob(server.url, id))).map(
        (f) => f.body?.job_status,
      )
      if (statuses.every((s) => s === 'running')) break
      await sleep(20)
    }
    expect(statuses).toEqual(['running', 'running', 'running', 'running'])
    const heldWait = waitJob(server.url, caught[0]!.id, 15_000)
    await sleep(200)
    await redis.kill('SIGKILL')
    const downAt = Date.now()
    const whileDown: { what: string; answer: Answer }[] = []
    const doneId = before[0]!.id
    while (Date.now() - downAt < DOWN_MS) {
      whileDown.push({ what: 'call', answer: await callPipeline(server.url, 'is_odd', 7, true) })
      whileDown.push({ what: 'fetch', answer: await fetchJob(server.url, doneId) })
      whileDown.push({ what: 'wait', answer: await waitJob(server.url, doneId, 5_000) })
      await sleep(100)
    }
    await redis.start()
    const upAt = Date.now()

    // Worker calls work again (bounded: 20 s).
    let recovered: Answer | undefined
    while (Date.now() - upAt < 20_000) {
      const call = await callPipeline(server.url, 'is_odd', 9, true)
      if (call.status === 200) {
        recovered = call
        break
      }
      await sleep(100)
    }
    const recoveredMs = Date.now() - upAt
    await stream

    // 1. Every synchronous call answered, right, also while Redis was down.
    const badSync = sync.filter(
      ({ answer }, n) => answer.status !== 200 || answer.body?.pipeline_output !== (n % 2 === 1),
    )
    expect(badSync).toEqual([])
    expect(sync).toHaveLength(SYNC_CALLS)
    const duringDown = sync.filter(({ at }) => at >= downAt && at < upAt).length
    expect(duringDown).toBeGreaterThanOrEqual(30)

    // 2. While down: 503 within a second, with one code for the one situation (Redis unreachable),
    //    worker calls included (NO_WORKER_ALIVE is for Redis up with no worker).
    expect(whileDown.length).toBeGreaterThanOrEqual(6)
    const expectedCode: Record<string, string> = {
      call: 'BACKEND_UNAVAILABLE',
      fetch: 'BACKEND_UNAVAILABLE',
      wait: 'BACKEND_UNAVAILABLE',
    }
    const badDown = whileDown.filter(
      ({ what, answer }) =>
        answer.status !== 503 ||
        answer.body?.error?.code !== expectedCode[what] ||
        !/Redis/.test(answer.body?.error?.message) ||
        answer.ms >= 1_000,
    )
    expect(badDown).toEqual([])

    // 3. Back up: worker calls are accepted again, and run.
    expect(recovered?.status).toBe(200)
    const again = await waitJob(server.url, recovered!.body.job_id, 10_000)
    expect(again.body).toMatchObject({ job_status: 'done', pipeline_output: true })

    // 4. Nothing finished before the crash was lost.
    const fetched = await mapLimit(before, 16, ({ id }) => fetchJob(server.url, id))
    const lost = fetched.filter(
      (f, i) =>
        f.status !== 200 ||
        f.body.job_status !== 'done' ||
        f.body.job_id !== before[i]!.id ||
        f.body.pipeline_output !== (before[i]!.n % 2 === 1),
    )
    expect(lost).toEqual([])

    // 5. Jobs caught running ended: done with their value, or failed with a reason; none stuck.
    const caughtEnd = await mapLimit(caught, 4, ({ id }) => waitJob(server.url, id, 20_000))
    const stuck = caughtEnd.filter(
      (c, i) =>
        !(
          (c.body?.job_status === 'done' && c.body.pipeline_output?.n === caught[i]!.n) ||
          (c.body?.job_status === 'failed' && /^[A-Z_]+$/.test(c.body.error?.code) && c.body.error?.message)
        ),
    )
    expect(stuck).toEqual([])
    // The wait held across the restart answers the job's end (woken by its event, not its timeout).
    const held = await heldWait
    expect(held.status).toBe(200)
    expect(held.body.job_status).toMatch(/^(done|failed)$/)
    expect(held.ms).toBeLessThan(15_000)

    // 6. New jobs after the restart all run.
    const after = await mapLimit(
      Array.from({ length: JOBS_AFTER }, (_, i) => 2_000 + i),
      16,
      async (n) => {
        const call = await callPipeline(server.url, 'is_odd', n, true)
        const done = call.status === 200 ? await waitJob(server.url, call.body.job_id, 10_000) : call
        return done.body?.job_status === 'done' && done.body.pipeline_output === (n % 2 === 1)
      },
    )
    expect(after.filter((ok) => !ok)).toEqual([])

    // How the caught jobs ended: BullMQ's attempts started (ats) and stalled counter (stc).
    const inspect = new Redis(redis.url)
    const runs = await Promise.all(caught.map(({ id }) => inspect.hmget(`bull:${queue}:${id}`, 'ats', 'stc')))
    await inspect.quit()
    const slowest = Math.max(...whileDown.map((d) => d.answer.ms))
    console.log(
      `[redis-restart] down ${upAt - downAt} ms: ${duringDown} sync calls answered 200 meanwhile; ${whileDown.length} worker calls/fetches/waits answered 503 (slowest ${slowest.toFixed(0)} ms); worker calls accepted again ${recoveredMs} ms after Redis came back; caught jobs: ${caughtEnd.map((c) => `${c.body?.job_status}${c.body?.error ? ` ${c.body.error.code}` : ''}`).join(', ')} (attempts/stalled: ${runs.map(([ats, stc]) => `${ats ?? 0}/${stc ?? 0}`).join(', ')}; a wait held across the restart answered in ${held.ms.toFixed(0)} ms)`,
    )
  })
})
