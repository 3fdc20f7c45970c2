/**
 * The server's side of RQWorkerPool fails fast while Redis is down, with one answer everywhere: a
 * worker call and a job fetch both answer 503 BACKEND_UNAVAILABLE within the command timeout,
 * instead of hanging in ioredis's offline queue (NO_WORKER_ALIVE is for Redis up and no worker).
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ChariotsError, ErrorCode } from '@chariots/core'
import { Chariots } from '@chariots/server'
import { isOddPipeline, startRedis, TestClient } from '@chariots/testing'
import { RQWorkerContext, RQWorkerPool } from '@chariots/workers-rq-like'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

async function timed<T>(promise: Promise<T>): Promise<{ error: ChariotsError; ms: number }> {
  const t0 = performance.now()
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as ChariotsError
  return { error, ms: performance.now() - t0 }
}

describe('RQWorkerPool while Redis is down', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chariots-redis-down-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('answers 503 BACKEND_UNAVAILABLE for a worker call and for a fetch, quickly, once Redis stops', async () => {
    const redis = await startRedis()
    const pool = new RQWorkerPool({
      connection: redis.url,
      queueName: `down-${randomUUID()}`,
      commandTimeoutMs: 500,
      onError: () => {},
    })
    const app = new Chariots([isOddPipeline()], { path: dir, workerPool: pool })
    const client = new TestClient(app)
    const workers = await RQWorkerContext.start(app)
    const call = await client.callPipeline('is_odd', 4, { useWorker: true })
    expect((await client.waitForJob(call.jobId!, 'is_odd', { timeoutMs: 10_000 })).jobStatus).toBe('done')
    await redis.stop()

    const refused = await timed(client.callPipeline('is_odd', 4, { useWorker: true }))
    expect(refused.error.code).toBe(ErrorCode.BACKEND_UNAVAILABLE)
    expect(refused.error.details?.status).toBe(503)
    expect(refused.ms).toBeLessThan(2_000)

    const fetch = await timed(client.fetchJob(call.jobId!, 'is_odd'))
    expect(fetch.error.code).toBe(ErrorCode.BACKEND_UNAVAILABLE)
    expect(fetch.error.details?.status).toBe(503)
    expect(fetch.error.message).toMatch(/Redis|Stream|connect/i)
    expect(fetch.ms).toBeLessThan(2_000)

    // the sync path does not need Redis
    expect((await client.callPipeline('is_odd', 3)).value).toBe(true)
    const closing = await timed(Promise.all([workers.close(), pool.close()]))
    expect(closing.ms).toBeLessThan(10_000)
  })

  it('answers 503 BACKEND_UNAVAILABLE quickly when Redis was never reachable', async () => {
    const redis = await startRedis()
    await redis.stop() // a port where nothing listens any more
    const pool = new RQWorkerPool({
      connection: redis.url,
      queueName: 'never',
      commandTimeoutMs: 500,
      onError: () => {},
    })
    const client = new TestClient(new Chariots([isOddPipeline()], { path: dir, workerPool: pool }))
    const refused = await timed(client.callPipeline('is_odd', 4, { useWorker: true }))
    expect(refused.error.code).toBe(ErrorCode.BACKEND_UNAVAILABLE)
    expect(refused.error.message).toMatch(/Redis/)
    expect(refused.ms).toBeLessThan(2_000)
    const fetch = await timed(client.fetchJob(randomUUID(), 'is_odd'))
    expect(fetch.error.code).toBe(ErrorCode.BACKEND_UNAVAILABLE)
    expect(fetch.error.details?.status).toBe(503)
    expect(fetch.ms).toBeLessThan(2_000)
    await pool.close()
  })
})
