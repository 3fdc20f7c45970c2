/**
 * What only the BullMQ pool has (the behaviour both pools share is in worker-pools.test.ts): queue
 * limits counted in Redis across servers, the places of jobs removed behind the pool's back freed
 * again, finished jobs kept without their input and at most `jobRetention.count` of them.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type ChariotsError, ErrorCode } from '@chariots/core'
import { Chariots } from '@chariots/server'
import { isOddPipeline, type RunningRedis, startRedis } from '@chariots/testing'
import { RQWorkerContext, RQWorkerPool, type RQWorkerPoolOptions } from '@chariots/workers-rq-like'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Gate, gatePipeline } from './fixtures/gate-op.js'

let redis: RunningRedis
let client: Redis

beforeAll(async () => {
  redis = await startRedis()
  client = new Redis(redis.url)
})
afterAll(async () => {
  await client?.quit()
  await redis?.stop()
})

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a refusal')
    },
    (err: ChariotsError) => err,
  )

describe('RQWorkerPool', () => {
  let dir: string
  let queueName: string
  const closing: { close(): Promise<void> }[] = []
  const poolOn = (options: Partial<RQWorkerPoolOptions> = {}) => {
    const pool = new RQWorkerPool({ connection: redis.url, queueName, onError: () => {}, ...options })
    closing.push(pool)
    return pool
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chariots-rq-pool-'))
    queueName = `rq-${randomUUID()}`
  })
  afterEach(async () => {
    for (const c of closing.splice(0).reverse()) await c.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('counts maxQueuedJobs in Redis: two servers on one queue share the limit', async () => {
    const gate = new Gate()
    const gated = gatePipeline(gate)
    const isOdd = isOddPipeline()
    const serverA = poolOn({ maxQueuedJobs: 2 })
    const serverB = poolOn({ maxQueuedJobs: 2 })
    const appA = new Chariots([gated, isOdd], { path: dir, workerPool: serverA })
    const appB = new Chariots([gated, isOdd], { path: dir, workerPool: serverB })
    closing.push(await RQWorkerContext.start(appA))
    const first = await serverA.executePipelineAsync(gated, 1, appA.host)
    const second = await serverB.executePipelineAsync(isOdd, 1, appB.host)
    const err = await refusal(serverB.executePipelineAsync(isOdd, 2, appB.host))
    expect(err.code).toBe(ErrorCode.QUEUE_FULL)
    expect(err.message).toMatch(
      new RegExp(`RQWorkerPool of queue '${queueName}' at 127\\.0\\.0\\.1:\\d+ is full`),
    )
    await expect(serverA.checkRoom(isOdd, 10)).rejects.toMatchObject({ code: ErrorCode.QUEUE_FULL })
    gate.open()
    expect((await serverA.waitForJob(first, 10_000)).status).toBe('done')
    expect((await serverB.waitForJob(second, 10_000)).status).toBe('done')
    await serverA.checkRoom(isOdd, 10) // room again
    const third = await serverB.executePipelineAsync(isOdd, 3, appB.host)
    expect(await serverA.waitForJob(third, 10_000)).toMatchObject({ status: 'done', value: true })
  })

  it('frees the place of a job removed behind its back once the queue looks full', async () => {
    const gate = new Gate()
    const gated = gatePipeline(gate)
    const isOdd = isOddPipeline()
    const pool = poolOn({ maxQueuedJobs: 2, commandTimeoutMs: 100 }) // places older than 1 s may be swept
    const app = new Chariots([gated, isOdd], { path: dir, workerPool: pool })
    closing.push(await RQWorkerContext.start(app))
    const running = await pool.executePipelineAsync(gated, 1, app.host)
    const removed = await pool.executePipelineAsync(isOdd, 1, app.host)
    // Someone removes the waiting job from Redis by hand: no worker of ours will ever finish it.
    await client.lrem(`bull:${queueName}:wait`, 0, removed)
    await client.del(`bull:${queueName}:${removed}`)
    expect((await refusal(pool.executePipelineAsync(isOdd, 2, app.host))).code).toBe(ErrorCode.QUEUE_FULL)
    await sleep(1_200)
    const accepted = await pool.executePipelineAsync(isOdd, 3, app.host) // the sweep freed the place
    gate.open()
    expect((await pool.waitForJob(running, 10_000)).status).toBe('done')
    expect(await pool.waitForJob(accepted, 10_000)).toMatchObject({ status: 'done', value: true })
  })

  it('keeps finished jobs without their input (over 1 KB), and at most jobRetention.count of each outcome', async () => {
    const isOdd = isOddPipeline()
    const pool = poolOn({ jobRetention: { count: 3 } })
    const app = new Chariots([isOdd], { path: dir, workerPool: pool })
    closing.push(await RQWorkerContext.start(app))
    const ids: string[] = []
    for (let i = 0; i < 4; i++) {
      const id = await pool.executePipelineAsync(isOdd, i, app.host)
      expect((await pool.waitForJob(id, 10_000)).status).toBe('done')
      ids.push(id)
    }
    const big = await pool.executePipelineAsync(isOdd, 'x'.repeat(2_000), app.host)
    expect((await pool.waitForJob(big, 10_000)).status).toBe('done')
    ids.push(big)
    const data = async (id: string) => {
      const raw = await client.hget(`bull:${queueName}:${id}`, 'data')
      return raw === null ? null : JSON.parse(raw)
    }
    await expect
      .poll(() => data(big))
      .toEqual({ pipelineName: 'is_odd', timeoutMs: 3_600_000, inputBytes: 2_002 })
    expect(await data(ids[3]!)).toEqual({
      pipelineName: 'is_odd',
      input: 3,
      timeoutMs: 3_600_000,
      inputBytes: 1,
    })
    expect(await pool.getPipelineResponseForId(big)).toMatchObject({ status: 'done', value: false })
    for (const id of ids.slice(0, 2)) {
      const err = await refusal(pool.getPipelineResponseForId(id))
      expect(err.code).toBe(ErrorCode.JOB_NOT_FOUND)
      expect(err.message).toMatch(
        /is not known to this backend \(lost or expired\).*at most 3 of each outcome/,
      )
    }
    // No place is left behind: the queue's reservations are empty.
    expect(await client.hlen(`bull:${queueName}:chariots:queued`)).toBe(0)
  })
})
