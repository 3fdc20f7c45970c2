// Many machines, nothing shared on disk: PostgreSQL, Redis, S3, two servers and two workers, each on
// a host of its own (a network namespace), each server and worker in an empty working folder. The
// iris flow crosses hosts; a worker host dies mid-training; PostgreSQL stops and comes back.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { S3Saver } from '@chariots/saver-s3'
import { PostgresStore } from '@chariots/store-postgres'
import { pingRedis, type RunningPostgres, type RunningS3, startPostgres, startS3 } from '@chariots/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canMakeNetworks, createTestNetwork, type TestNetwork } from './helpers/netns.js'

const CHARIOTS = fileURLToPath(new URL('../node_modules/@chariots/server/bin/chariots.js', import.meta.url))
const IRIS = fileURLToPath(new URL('../../../apps/iris/app.ts', import.meta.url))
const FLOWERS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.7, 3.0, 5.2, 2.3],
  [5.9, 3.0, 4.2, 1.5],
]

/**
 * The same models, and the same code for every node: a plain op's version carries the time its
 * class was first hashed in that process, so versions are compared by their hashes (as Version
 * compares them), and the saved models' versions exactly.
 */
function expectSameGeneration(a: Record<string, string>, b: Record<string, string>): void {
  const hashes = (v: Record<string, string>) =>
    Object.fromEntries(Object.entries(v).map(([node, version]) => [node, version.split('_')[0]]))
  expect(hashes(a)).toEqual(hashes(b))
  expect([a.pca, a.random_forest]).toEqual([b.pca, b.random_forest])
}

interface Proc {
  proc: ChildProcess
  cwd: string
  output(): string
  exited: Promise<unknown>
}

describe.skipIf(!canMakeNetworks())(
  'iris across hosts: PostgreSQL, Redis, S3, two servers, two workers',
  () => {
    let net: TestNetwork
    let pg: RunningPostgres
    let s3: RunningS3
    const procs: Proc[] = []
    const folders: string[] = []
    let env: Record<string, string>
    let redis: Proc
    let serverA: Proc
    let serverB: Proc
    const workers = new Map<string, Proc>()
    const url = (host: string) => `http://${net.ip(host)}:5000`

    /** Runs a program on a host, in an empty working folder of its own. */
    async function startOn(host: string, args: string[]): Promise<Proc> {
      const cwd = await mkdtemp(join(tmpdir(), `chariots-${host}-`))
      folders.push(cwd)
      const [cmd, ...rest] = [...net.on(host), ...args]
      const proc = spawn(cmd!, rest, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      proc.stdout!.on('data', (d) => (out = (out + d).slice(-20_000)))
      proc.stderr!.on('data', (d) => (out = (out + d).slice(-20_000)))
      const p = { proc, cwd, output: () => out, exited: new Promise((r) => proc.once('exit', r)) }
      procs.push(p)
      return p
    }

    async function until<T>(
      what: string,
      p: Proc | undefined,
      probe: () => Promise<T | undefined>,
      ms = 60_000,
      everyMs = 100,
    ) {
      const deadline = Date.now() + ms
      while (Date.now() < deadline) {
        if (p && p.proc.exitCode !== null) throw new Error(`${what}: the process exited:\n${p.output()}`)
        const value = await probe().catch(() => undefined)
        if (value !== undefined) return value
        await new Promise((r) => setTimeout(r, everyMs))
      }
      throw new Error(`${what}: not within ${ms} ms\n${p?.output() ?? ''}`)
    }

    async function startServer(host: string): Promise<Proc> {
      const p = await startOn(host, [process.execPath, CHARIOTS, 'serve', IRIS, '--host', net.ip(host)])
      await until(`server on ${host}`, p, async () =>
        (await fetch(`${url(host)}/health_check`, { signal: AbortSignal.timeout(5_000) })).ok
          ? true
          : undefined,
      )
      return p
    }

    async function startWorker(host: string): Promise<Proc> {
      const p = await startOn(host, [process.execPath, CHARIOTS, 'worker', IRIS])
      await until(`worker on ${host}`, p, async () =>
        p.output().includes('worker started') ? true : undefined,
      )
      workers.set(host, p)
      return p
    }

    const post = async (host: string, path: string, body: unknown = {}) => {
      const started = Date.now()
      const res = await fetch(`${url(host)}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      return { status: res.status, body: (await res.json()) as any, ms: Date.now() - started }
    }
    const predict = (host: string) => post(host, '/pipelines/pred_iris/main', { pipeline_input: FLOWERS })

    beforeAll(async () => {
      net = createTestNetwork(['db', 'redis', 's3', 'server-a', 'server-b', 'worker-a', 'worker-b'])
      ;[pg, s3] = await Promise.all([
        startPostgres({ prefix: net.on('db'), host: net.ip('db'), port: 5432, fast: true }),
        startS3({ prefix: net.on('s3'), host: net.ip('s3'), port: 4569 }),
      ])
      env = {
        ...(Object.fromEntries(
          Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && !k.startsWith('CHARIOTS_')),
        ) as Record<string, string>),
        ...s3.env,
        CHARIOTS_STORE: pg.url,
        CHARIOTS_BLOBS: 's3://chariots/iris',
        REDIS_URL: `redis://${net.ip('redis')}:6379`,
        CHARIOTS_JOB_LOCK_MS: '1500',
      }
      redis = await startOn('redis', [
        'redis-server',
        '--port',
        '6379',
        '--bind',
        net.ip('redis'),
        '--save',
        '',
        // Reached from the other hosts, with no password: a test network of its own.
        '--protected-mode',
        'no',
      ])
      await until('redis', redis, async () => ((await pingRedis(6379, net.ip('redis'))) ? true : undefined))
      ;[serverA, serverB] = await Promise.all([startServer('server-a'), startServer('server-b')])
      await Promise.all([startWorker('worker-a'), startWorker('worker-b')])
    }, 120_000)

    afterAll(async () => {
      for (const p of procs.reverse()) {
        if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL')
        await p.exited
      }
      await Promise.all([pg?.stop(), s3?.stop()])
      net?.destroy()
      await Promise.all(folders.map((f) => rm(f, { recursive: true, force: true })))
    })

    it('trains through server A on a worker host, loads through server B, and both servers answer alike', async () => {
      expect((await post('server-a', '/pipelines/download_iris/main')).status).toBe(200)
      const queued = await post('server-a', '/pipelines/train_iris/main', { use_worker: true })
      expect(queued.body.job_status).toBe('queued')
      const res = await fetch(`${url('server-a')}/jobs/${queued.body.job_id}/wait?timeout_ms=60000`)
      const job = (await res.json()) as any
      expect(job.job_status, JSON.stringify(job)).toBe('done')
      // A worker host ran it (the servers start no workers) and saved it in the shared store.
      const store = new PostgresStore(pg.url)
      const [forest] = await store.listStates('random_forest')
      await store.close()
      expect(forest).toMatchObject({ savedBy: `job ${queued.body.job_id}`, pipeline: 'train_iris' })

      // Server A never loaded the models (none existed when it started); server B loads them...
      expect((await predict('server-a')).status).toBe(419)
      const load = await post('server-b', '/pipelines/pred_iris/load')
      expect(load.status).toBe(200)
      expect(load.body).toMatchObject({ loaded: true, in_step: true })
      // ...and tells server A, which loaded the same states before /load answered.
      expect(load.body.replicas).toEqual([
        expect.objectContaining({ status: 'loaded', states: load.body.states }),
      ])
      const [a, b] = await Promise.all([predict('server-a'), predict('server-b')])
      expect(a.status).toBe(200)
      expect(a.body.pipeline_output).toEqual(b.body.pipeline_output)
      expectSameGeneration(a.body.versions, b.body.versions)
      expect(a.body.pipeline_output).toEqual(['setosa', 'virginica', 'versicolor'])
    })

    it('a worker host killed mid-training: the job is taken again by the other worker, never stuck', async () => {
      // One worker only, on a data set large enough that training takes a while.
      const b = workers.get('worker-b')!
      b.proc.kill('SIGTERM')
      await b.exited
      const saver = new S3Saver({
        bucket: 'chariots',
        prefix: 'iris',
        endpoint: s3.endpoint,
        credentials: s3.credentials,
      })
      const csv = Buffer.from(await saver.load('/data/iris.csv'))
        .toString()
        .trim()
        .split('\n')
      const big = [csv[0], ...Array.from({ length: 20 }, () => csv.slice(1)).flat()].join('\n')
      await saver.save(Buffer.from(big), '/data/iris.csv')

      const queued = await post('server-b', '/pipelines/train_iris/main', { use_worker: true })
      const fetchJob = async () =>
        (await post('server-a', '/jobs/fetch/', { job_id: queued.body.job_id })).body
      await until(
        'the job running',
        undefined,
        async () => ((await fetchJob()).job_status === 'running' ? true : undefined),
        60_000,
        10,
      )
      const a = workers.get('worker-a')!
      a.proc.kill('SIGKILL')
      await a.exited
      expect((await fetchJob()).job_status).toBe('running') // killed while it ran
      await startWorker('worker-b')
      const ended = await until('the job ending', undefined, async () => {
        const job = await fetchJob()
        return job.job_status === 'done' || job.job_status === 'failed' ? job : undefined
      })
      expect(['done', 'failed']).toContain(ended.job_status)
      saver.client.destroy()
    })

    it('PostgreSQL stopped: loaded predictions keep answering, saves and loads answer 503 quickly, both recover', async () => {
      expect((await post('server-a', '/pipelines/download_iris/main')).status).toBe(200) // the small data set again
      expect((await post('server-a', '/pipelines/train_iris/main')).status).toBe(200) // trained here, not saved
      const before = await predict('server-b')
      await pg.stopServer()
      try {
        const [a, b] = await Promise.all([predict('server-a'), predict('server-b')])
        expect([a.status, b.status]).toEqual([200, 200])
        expect(a.body.pipeline_output).toEqual(before.body.pipeline_output)
        expect(b.body).toEqual(before.body)

        const load = await post('server-b', '/pipelines/pred_iris/load')
        expect(load.status).toBe(503)
        expect(load.body.error.code).toBe('BACKEND_UNAVAILABLE')
        expect(load.body.error.message).toContain('PostgreSQL cannot be reached')
        expect(load.ms).toBeLessThan(3_000)
        const save = await post('server-a', '/pipelines/train_iris/save')
        expect(save.status).toBe(503)
        expect(save.body.error.code).toBe('BACKEND_UNAVAILABLE')
        expect(save.ms).toBeLessThan(3_000)
        // The refused load left what serves untouched.
        expect((await predict('server-b')).body).toEqual(before.body)
      } finally {
        await pg.startServer()
      }
      const saved = await post('server-a', '/pipelines/train_iris/save')
      expect(saved.status).toBe(200)
      expect(Object.keys(saved.body.saved).sort()).toEqual(['pca', 'random_forest'])
      // Server A's heartbeat resumes within a beat or two; then the load reaches it again.
      const load = await until(
        'a load in step after the restart',
        undefined,
        async () => {
          const res = await post('server-b', '/pipelines/pred_iris/load')
          return res.status === 200 && res.body.in_step && res.body.replicas.length === 1 ? res : undefined
        },
        20_000,
      )
      expect(load.body.states.random_forest.seq).toBe(saved.body.saved.random_forest.seq)
      const [a, b] = await Promise.all([predict('server-a'), predict('server-b')])
      expectSameGeneration(a.body.versions, b.body.versions)
      expect(a.body.versions.random_forest).toBe(saved.body.saved.random_forest.version)
    })

    it('leaves every server and worker folder empty: nothing is shared, or kept, on disk', async () => {
      for (const p of [serverA, serverB, ...workers.values()]) expect(await readdir(p.cwd)).toEqual([])
    })
  },
)
