// Honest job status with RQWorkerPool's default lock settings (issue #12, item 4): before, a
// SIGKILLed worker's job showed `running` with the dead pid for 58–87 s, and with no worker left
// `running` for good. Now, with another worker alive, the job's lock (lockDuration 5 s, renewed by
// the live worker) tells: within 10 s the job shows `running` with `worker_lost: true`, or is back
// in the queue (the survivor's stalled check, every 5 s), and the survivor runs it. With no worker
// left, the running job and the one queued behind it both say `worker_lost: true`, and a new worker
// recovers and runs both. After Redis loses its
// data (FLUSHALL, what a restart without persistence leaves), a job id answers 404 "not known to
// this backend (lost or expired)".
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
  type ServerProcess,
  startServer,
  startWorker,
} from './helpers/chariots-process.js'
import { callPipeline, fetchJob, requestJson, waitJob } from './helpers/http-json.js'

const APP = fileURLToPath(new URL('./fixtures/worker-app.ts', import.meta.url))

async function queue(url: string, pipeline: string, input: unknown): Promise<string> {
  const call = await callPipeline(url, pipeline, input, true)
  expect([call.status, call.body?.job_status]).toEqual([200, 'queued'])
  return call.body.job_id as string
}

describe('RQWorkerPool with its default lock settings: a dead worker shows', () => {
  let redis: RunningRedis
  let redisClient: Redis
  let dir: string
  let server: ServerProcess
  let env: Record<string, string>
  const workers: ChariotsProcess[] = []

  beforeAll(async () => {
    redis = await startRedis()
    redisClient = new Redis(redis.url)
    dir = await mkdtemp(join(tmpdir(), 'chariots-worker-lost-'))
    env = {
      CHARIOTS_TEST_PATH: dir,
      CHARIOTS_TEST_REDIS_URL: redis.url,
      CHARIOTS_TEST_QUEUE: `lost-${randomUUID()}`,
    }
    server = await startServer(APP, env)
    workers.push(...(await Promise.all([startWorker(APP, env, 1), startWorker(APP, env, 1)])))
  }, 60_000)

  afterAll(async () => {
    await Promise.all([server, ...workers].filter(Boolean).map((p) => p.stop('SIGKILL')))
    await redisClient?.quit()
    await redis?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  }, 60_000)

  /** Waits (bounded) until the job runs; answers the pid running it. */
  const runner = async (jobId: string) => {
    for (let deadline = Date.now() + 20_000; ; ) {
      const job = await fetchJob(server.url, jobId)
      if (job.body.job_status === 'running' && job.body.progress?.pid) return job.body.progress.pid as number
      if (Date.now() > deadline) throw new Error(`the job did not start: ${JSON.stringify(job.body)}`)
      await sleep(50)
    }
  }

  it("with another worker alive, a SIGKILLed worker's job shows worker_lost or is queued again within 10 s, and the survivor runs it", async () => {
    const long = await queue(server.url, 'sleepy', { n: 0, ms: 8_000 })
    const target = await queue(server.url, 'sleepy', { n: 1, ms: 1_000 })
    const [longPid, targetPid] = [await runner(long), await runner(target)]
    expect(longPid).not.toBe(targetPid)
    const victim = workers.find((w) => w.pid === targetPid)!
    const survivor = workers.find((w) => w.pid === longPid)!
    await victim.stop('SIGKILL')
    workers.splice(workers.indexOf(victim), 1)
    const t0 = performance.now()
    let seen: any
    while (performance.now() - t0 < 10_000) {
      const job = (await fetchJob(server.url, target)).body
      if (job.worker_lost === true || job.job_status === 'queued' || job.progress?.pid === survivor.pid) {
        seen = job
        break
      }
      await sleep(100)
    }
    const seconds = (performance.now() - t0) / 1000
    console.log(
      `[worker-lost] another worker alive: ${seen ? `${seen.job_status}${seen.worker_lost ? ' worker_lost' : ''}` : 'nothing'} ${seconds.toFixed(1)} s after the SIGKILL`,
    )
    expect(seen, 'neither worker_lost nor a retry within 10 s of the SIGKILL').toBeDefined()
    const done = await waitJob(server.url, target, 60_000)
    expect(done.body).toMatchObject({
      job_status: 'done',
      worker_lost: false,
      pipeline_output: { n: 1, pid: survivor.pid },
    })
    expect((await waitJob(server.url, long, 30_000)).body.job_status).toBe('done')
  })

  it("with no worker left, a SIGKILLed worker's job shows running with worker_lost within 10 s, the job behind it too, and a new worker runs both", async () => {
    while (workers.length > 1) await workers.pop()!.stop('SIGKILL') // one worker left (also when run alone)
    const victim = workers[0]!
    const running = await queue(server.url, 'sleepy', { n: 1, ms: 3_000 })
    const behind = await queue(server.url, 'sleepy', { n: 2, ms: 100 })
    expect(await runner(running)).toBe(victim.pid)
    expect((await fetchJob(server.url, running)).body.worker_lost).toBe(false)
    expect((await fetchJob(server.url, behind)).body).toMatchObject({
      job_status: 'queued',
      worker_lost: false,
    })

    await victim.stop('SIGKILL')
    const t0 = performance.now()
    let lost: any
    while (performance.now() - t0 < 10_000) {
      const job = await fetchJob(server.url, running)
      if (job.body.worker_lost === true) {
        lost = job.body
        break
      }
      await sleep(100)
    }
    const seconds = (performance.now() - t0) / 1000
    console.log(`[worker-lost] no worker left: worker_lost shown ${seconds.toFixed(1)} s after the SIGKILL`)
    expect(lost, 'worker_lost not shown within 10 s of the SIGKILL').toMatchObject({
      job_status: 'running',
      worker_lost: true,
      progress: { pid: victim.pid },
    })
    expect((await fetchJob(server.url, behind)).body).toMatchObject({
      job_status: 'queued',
      worker_lost: true,
    })
    // The wait route answers the same shape.
    const waited = await requestJson(server.url, `/jobs/${running}/wait?timeout_ms=0`)
    expect(waited.body).toMatchObject({ job_status: 'running', worker_lost: true })

    // A new worker recovers the job (BullMQ's stalled check) and runs both.
    const rescuer = await startWorker(APP, env, 1)
    workers.push(rescuer)
    const recovered = await waitJob(server.url, running, 60_000)
    expect(recovered.body).toMatchObject({
      job_status: 'done',
      worker_lost: false,
      pipeline_output: { n: 1, pid: rescuer.pid },
    })
    expect((await waitJob(server.url, behind, 30_000)).body).toMatchObject({
      job_status: 'done',
      pipeline_output: { n: 2, pid: rescuer.pid },
    })
  })

  it('after Redis loses its data, a job id answers 404 "not known to this backend (lost or expired)"', async () => {
    const id = await queue(server.url, 'is_odd', 3)
    expect((await waitJob(server.url, id, 30_000)).body.job_status).toBe('done')
    await redisClient.flushall()
    for (const answer of [
      await fetchJob(server.url, id),
      await requestJson(server.url, `/jobs/${id}/wait?timeout_ms=0`),
    ]) {
      expect(answer.status).toBe(404)
      expect(answer.body.error.code).toBe('JOB_NOT_FOUND')
      expect(answer.body.error.message).toMatch(
        new RegExp(
          `^job '${id}' is not known to this backend \\(lost or expired\\): queue '${env.CHARIOTS_TEST_QUEUE}' at 127\\.0\\.0\\.1:\\d+ keeps finished jobs 24 h and at most 10000 of each outcome`,
        ),
      )
    }
    // The worker keeps serving the emptied queue.
    const next = await queue(server.url, 'is_odd', 5)
    expect((await waitJob(server.url, next, 30_000)).body).toMatchObject({
      job_status: 'done',
      pipeline_output: true,
    })
  })
})
