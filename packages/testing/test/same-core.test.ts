/**
 * One copy of @chariots/core per thread: an app module loaded through @chariots/app-loader (a .ts
 * app as a cached bundle with packages external, a .js app as it is) shares the loader's
 * @chariots/core, in a server process and in the job threads of an RQWorkerPool. What would break
 * with a second copy: `instanceof LoadableOp` (a loadable op's state neither saved nor loaded) and
 * job progress (reported through one copy's AsyncLocalStorage, listened for on the other's). Core
 * has no cross-copy workaround for either, so these tests fail if the loader ever makes a copy.
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from '@chariots/server/client'
import { type RunningRedis, startRedis } from '@chariots/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ChariotsProcess, startServer, startWorker } from './helpers/chariots-process.js'

const fixture = (ext: string) => fileURLToPath(new URL(`./fixtures/same-core-app.${ext}`, import.meta.url))
/** Where the CLI resolves its packages from: the check below imports them as `chariots` does. */
const SERVER_DIR = fileURLToPath(new URL('../../server/', import.meta.url))

/** What the loader's side sees of the app module, in a fresh Node.js process (no Vitest). */
const CHECK = `
import { importAppModule } from '@chariots/app-loader'
import { LoadableOp, Pipeline } from '@chariots/core'
const mod = await importAppModule(process.argv[1])
const pipelines = [...mod.default.host.pipelines.values()]
console.log(JSON.stringify({
  loadable: mod.counterOp instanceof LoadableOp,
  pipelines: pipelines.map((p) => p instanceof Pipeline),
  loadableNodes: pipelines.flatMap((p) => p.nodes.filter((n) => n.loadableOp).map((n) => n.name)),
}))
process.exit(0)
`

function checkInFreshProcess(app: string, env: Record<string, string> = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHECK, app], {
      cwd: SERVER_DIR,
      env: { ...process.env, CHARIOTS_TEST_PATH: tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop()!))
      else reject(new Error(`the check exited with code ${code}: ${err}`))
    })
  })
}

describe.each(['ts', 'js'])('an app module (.%s) loaded through @chariots/app-loader', (ext) => {
  const app = fixture(ext)
  let redis: RunningRedis
  let dir: string
  const processes: ChariotsProcess[] = []
  let inProcessUrl: string
  let rqUrl: string

  beforeAll(async () => {
    redis = await startRedis()
    dir = await mkdtemp(join(tmpdir(), 'chariots-same-core-'))
    const rq = {
      CHARIOTS_TEST_POOL: 'rq',
      CHARIOTS_TEST_REDIS_URL: redis.url,
      CHARIOTS_TEST_QUEUE: `same-core-${randomUUID()}`,
      CHARIOTS_TEST_PATH: join(dir, 'rq'),
    }
    const [inProcess, rqServer, rqWorker] = await Promise.all([
      startServer(app, { CHARIOTS_TEST_POOL: 'in-process', CHARIOTS_TEST_PATH: join(dir, 'in-process') }),
      startServer(app, rq),
      startWorker(app, rq),
    ])
    processes.push(inProcess.proc, rqServer.proc, rqWorker)
    inProcessUrl = inProcess.url
    rqUrl = rqServer.url
  }, 60_000)

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()))
    await redis?.stop()
    await rm(dir, { recursive: true, force: true })
  }, 60_000)

  it("shares the loader's @chariots/core: instanceof LoadableOp and Pipeline hold", async () => {
    const expected = { loadable: true, pipelines: [true, true], loadableNodes: ['counterop'] }
    expect(await checkInFreshProcess(app)).toEqual(expected)
    if (ext === 'ts') expect(await checkInFreshProcess(app, { CHARIOTS_TS_LOADER: 'tsx' })).toEqual(expected)
  })

  it('in the server process (InProcessWorkerPool): job progress reaches the job status', async () => {
    const client = new Client(inProcessUrl)
    const { jobId } = await client.callPipeline('reporting', 'in-process', { useWorker: true })
    const done = await client.waitForJob(jobId!, 'reporting', { timeoutMs: 20_000 })
    expect(done).toMatchObject({
      jobStatus: 'done',
      value: 'in-process',
      progress: { reported: 'in-process' },
    })
  })

  it('in a job thread of RQWorkerPool: job progress reaches the job status', async () => {
    const client = new Client(rqUrl)
    const { jobId } = await client.callPipeline('reporting', 'thread', { useWorker: true })
    const done = await client.waitForJob(jobId!, 'reporting', { timeoutMs: 20_000 })
    expect(done).toMatchObject({ jobStatus: 'done', value: 'thread', progress: { reported: 'thread' } })
  })

  it("in a job thread of RQWorkerPool: a LoadableOp's state is saved, and the server loads it", async () => {
    const client = new Client(rqUrl)
    for (const expected of [1, 2]) {
      const { jobId } = await client.callPipeline('counter', null, { useWorker: true })
      const done = await client.waitForJob(jobId!, 'counter', { timeoutMs: 20_000 })
      expect(done).toMatchObject({ jobStatus: 'done', value: expected })
    }
    await client.loadPipeline('counter')
    expect((await client.callPipeline('counter', null)).value).toBe(3)
  })
})
