/**
 * RQWorkerPool across processes: `chariots serve` servers and `chariots worker` processes on one
 * Redis and one store folder, with the shortened stall settings of `fixtures/rq-app.ts`
 * (lockDuration 1.5 s, stalledInterval 0.5 s) so a killed worker costs about two seconds. Once with job
 * bodies in worker threads (the default), once in BullMQ sandbox child processes.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from '@chariots/server/client'
import { type RunningRedis, startRedis } from '@chariots/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { linearTruth } from './fixtures/linear-ops.js'
import { type ChariotsProcess, isAlive, startServer, startWorker } from './helpers/chariots-process.js'

const APP = fileURLToPath(new URL('./fixtures/rq-app.ts', import.meta.url))

/** Where an op of the fixture app ran. */
type Where = { pid: number; ppid: number; threadId: number }
type Server = { proc: ChariotsProcess; url: string }

// The tests of each block run in order: the last one kills a worker.
describe.each(['thread', 'process'] as const)(
  'RQWorkerPool with server and worker processes (job bodies in a %s)',
  (sandbox) => {
    let redis: RunningRedis
    let redisClient: Redis
    let dir: string
    let queueName: string
    let env: Record<string, string>
    const processes: ChariotsProcess[] = []
    let serverA: Server
    let serverB: Server
    let workers: ChariotsProcess[]

    const track = <T extends ChariotsProcess | Server>(p: T): T => {
      processes.push('proc' in p ? p.proc : p)
      return p
    }
    /** The `chariots worker` process an op ran under (itself in a thread, its parent in a child process). */
    const workerPid = (where: Where) => (sandbox === 'thread' ? where.pid : where.ppid)
    /** The BullMQ job hash (default prefix 'bull'). */
    const bullJob = (jobId: string) => redisClient.hgetall(`bull:${queueName}:${jobId}`)

    beforeAll(async () => {
      redis = await startRedis()
      redisClient = new Redis(redis.url)
      dir = await mkdtemp(join(tmpdir(), 'chariots-rq-mp-'))
      queueName = `mp-${randomUUID()}`
      env = {
        CHARIOTS_TEST_REDIS_URL: redis.url,
        CHARIOTS_TEST_QUEUE: queueName,
        CHARIOTS_TEST_PATH: dir,
        CHARIOTS_TEST_SANDBOX: sandbox,
      }
      const [a, b, w1, w2] = await Promise.all([
        startServer(APP, env),
        startServer(APP, env),
        startWorker(APP, env),
        startWorker(APP, env),
      ])
      serverA = track(a)
      serverB = track(b)
      workers = [track(w1), track(w2)]
    }, 60_000)

    afterAll(async () => {
      await Promise.all(processes.map((p) => p.stop()))
      await redisClient?.quit()
      await redis?.stop()
      await rm(dir, { recursive: true, force: true })
    }, 60_000)

    it('a job queued through server A is answered by server B', async () => {
      const a = new Client(serverA.url)
      const b = new Client(serverB.url)
      const call = await a.callPipeline('is_odd', 4, { useWorker: true })
      expect(call.jobStatus).toBe('queued')
      const done = await b.waitForJob(call.jobId!, 'is_odd', { timeoutMs: 30_000 })
      expect(done).toMatchObject({ jobId: call.jobId, jobStatus: 'done', value: false })
      expect(await a.fetchJob(call.jobId!, 'is_odd')).toMatchObject({ jobStatus: 'done', value: false })
    })

    it('runs job bodies off the worker process event loop: a CPU-bound body keeps its lock (one attempt, no stall)', async () => {
      const client = new Client(serverA.url)
      const call = await client.callPipeline('busy', 3_500, { useWorker: true }) // 2.3 × lockDuration
      const done = await client.waitForJob<Where>(call.jobId!, 'busy', { timeoutMs: 30_000 })
      expect(done.jobStatus).toBe('done')
      const workerPids = workers.map((w) => w.pid)
      expect(workerPids).toContain(workerPid(done.value))
      if (sandbox === 'thread') expect(done.value.threadId).toBeGreaterThan(0)
      else expect(workerPids).not.toContain(done.value.pid)
      const job = await bullJob(call.jobId!)
      expect(job.ats).toBe('1') // attempts started
      expect(job.stc ?? '0').toBe('0') // stalled counter
    })

    it('trains in a worker process; server B loads the prediction pipeline and predicts', async () => {
      const a = new Client(serverA.url)
      const b = new Client(serverB.url)
      const call = await a.callPipeline('train_linear', null, { useWorker: true })
      expect((await a.waitForJob(call.jobId!, 'train_linear', { timeoutMs: 30_000 })).jobStatus).toBe('done')
      await b.loadPipeline('predict_linear')
      const rows = [
        [0.5, 1],
        [7, -2],
      ]
      const { value } = await b.callPipeline<number[]>('predict_linear', rows)
      expect(value).toHaveLength(2)
      for (const [i, v] of value.entries()) expect(Math.abs(v - linearTruth(rows[i]!))).toBeLessThan(1e-5)
    })

    it('a job body that ends its process or thread fails WORKER_DIED, and the next job still runs', async () => {
      const client = new Client(serverA.url)
      const call = await client.callPipeline('exits', null, { useWorker: true })
      const failed = await client.waitForJob(call.jobId!, 'exits', { timeoutMs: 30_000 })
      expect(failed.jobStatus).toBe('failed')
      expect(failed.error?.code).toBe('WORKER_DIED')
      expect(failed.error?.message).toMatch(/exit/)
      const next = await client.callPipeline('is_odd', 1, { useWorker: true })
      expect(await client.waitForJob(next.jobId!, 'is_odd', { timeoutMs: 30_000 })).toMatchObject({
        jobStatus: 'done',
        value: true,
      })
    })

    it('a server restarted while a job runs still answers for it', async () => {
      const call = await new Client(serverB.url).callPipeline('sleepy', 1_500, { useWorker: true })
      await serverB.proc.stop('SIGKILL')
      serverB = track(await startServer(APP, env))
      const client = new Client(serverB.url)
      expect(['queued', 'running', 'done']).toContain(
        (await client.fetchJob(call.jobId!, 'sleepy')).jobStatus,
      )
      const done = await client.waitForJob<Where>(call.jobId!, 'sleepy', { timeoutMs: 30_000 })
      expect(done.jobStatus).toBe('done')
      expect(workers.map((w) => w.pid)).toContain(workerPid(done.value))
    })

    it('a worker killed with SIGKILL mid-job: another worker picks the job up and it ends done', async () => {
      const client = new Client(serverA.url)
      const call = await client.callPipeline('sleepy', 2_000, { useWorker: true })
      let where: Where | undefined
      await expect
        .poll(
          async () => {
            where = (await client.fetchJob(call.jobId!, 'sleepy')).progress as Where | undefined
            return where?.pid
          },
          { timeout: 20_000, interval: 50 },
        )
        .toBeTypeOf('number')
      const victim = workers.find((w) => w.pid === workerPid(where!))!
      const survivor = workers.find((w) => w !== victim)!
      await victim.stop('SIGKILL')
      const done = await client.waitForJob<Where>(call.jobId!, 'sleepy', { timeoutMs: 30_000 })
      expect(done.jobStatus).toBe('done')
      expect(workerPid(done.value)).toBe(survivor.pid)
      expect((await bullJob(call.jobId!)).stc).toBe('1') // recovered once from the stalled state
      // a sandbox child process does not outlive its killed worker
      if (sandbox === 'process') await expect.poll(() => isAlive(where!.pid), { timeout: 5_000 }).toBe(false)
      workers = [survivor]
    })
  },
)
