// `chariots serve --workers N`: N real processes behind one port on 127.0.0.1, through the built
// CLI. Each answer names the process that gave it (X-Chariots-Process); requests on new
// connections are handed out in turn by the primary.
import { mkdtemp, rm } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type RunningRedis, startRedis } from '@chariots/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli, type Served, startServe } from './helpers/cli-process.js'

const isOddApp = fileURLToPath(new URL('fixtures/cli-app.ts', import.meta.url))
const meanApp = fileURLToPath(new URL('fixtures/mean-app.ts', import.meta.url))

interface Answer {
  status: number
  /** The pid of the process that answered. */
  pid: number
  body: Record<string, unknown>
}

/** One request; on a new connection unless `agent` keeps one open. */
function call(
  served: Served,
  path: string,
  options: { body?: unknown; agent?: Agent } = {},
): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
  return new Promise((resolve, reject) => {
    const req = request(
      `${served.url}${path}`,
      {
        method: payload === undefined ? 'GET' : 'POST',
        agent: options.agent ?? false,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d) => (text += d))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            pid: Number(res.headers['x-chariots-process']),
            body: JSON.parse(text || 'null') as Record<string, unknown>,
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

/** The pids answering requests on new connections, once `n` distinct ones did (at most 10 n calls). */
async function answeringPids(served: Served, n: number): Promise<Set<number>> {
  const pids = new Set<number>()
  for (let i = 0; i < 10 * n && pids.size < n; i++) {
    const answer = await call(served, '/health_check')
    expect(answer.status).toBe(200)
    pids.add(answer.pid)
  }
  return pids
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Waits until the server printed `text` (a log line a person watching would see). */
async function printed(served: Served, text: string): Promise<void> {
  while (!served.output().includes(text)) await new Promise((r) => setTimeout(r, 50))
}

/**
 * `chariots serve --workers N` on a free port, once every process serves (the port answers as
 * soon as the first one listens; the primary says "chariots listening" once all do).
 */
async function startWorkers(module: string, workers: number, env: Record<string, string>): Promise<Served> {
  const served = await startServe(module, { env, args: ['--workers', String(workers)] })
  await printed(served, 'chariots listening')
  return served
}

describe('chariots serve --workers N', () => {
  let dir: string
  let served: Served | undefined
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chariots-workers-'))
  })
  afterEach(async () => {
    await served?.stop()
    served = undefined
    await rm(dir, { recursive: true, force: true })
  })

  it('serves from N processes behind one port; SIGTERM stops them all and exits 0', async () => {
    served = await startWorkers(isOddApp, 3, { CHARIOTS_APP_PATH: dir })
    const pids = await answeringPids(served, 3)
    expect(pids.size).toBe(3)
    expect(pids.has(served.pid)).toBe(false) // the primary serves nothing
    for (const pid of pids) expect(isRunning(pid)).toBe(true)
    const answer = await call(served, '/pipelines/is_odd/main', { body: { pipeline_input: 3 } })
    expect(answer).toMatchObject({ status: 200, body: { pipeline_output: true } })

    process.kill(served.pid, 'SIGTERM')
    expect(await served.exited).toBe(0)
    for (const pid of pids) expect(isRunning(pid)).toBe(false)
  }, 60_000)

  it('a /load through one process reaches all: every one of 200 calls after it answers the new versions', async () => {
    served = await startWorkers(meanApp, 2, { CHARIOTS_STORE: dir })
    const before = await call(served, '/pipelines/predict_mean/main', { body: { pipeline_input: [5] } })
    expect(before.status).toBe(419) // nothing trained yet

    // Train, save and load through one process: one kept-alive connection.
    const one = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const trained = await call(served, '/pipelines/train_mean/main', {
        body: { pipeline_input: [1, 2, 3] },
        agent: one,
      })
      const saved = await call(served, '/pipelines/train_mean/save', { body: null, agent: one })
      const loaded = await call(served, '/pipelines/predict_mean/load', { body: null, agent: one })
      expect([trained.status, saved.status, loaded.status]).toEqual([200, 200, 200])
      expect(new Set([trained.pid, saved.pid, loaded.pid]).size).toBe(1)
      // The /load answers the other process's outcome.
      expect(loaded.body.replicas).toEqual([expect.objectContaining({ status: 'loaded' })])

      const version = (saved.body.saved as { mean: { version: string } }).mean.version
      const pids = new Set<number>()
      for (let i = 0; i < 200; i++) {
        const answer = await call(served, '/pipelines/predict_mean/main', { body: { pipeline_input: [5] } })
        expect(answer.status).toBe(200)
        expect(answer.body).toMatchObject({ pipeline_output: [3], versions: { mean: version } })
        pids.add(answer.pid)
      }
      expect(pids.size).toBe(2)
    } finally {
      one.destroy()
    }
  }, 90_000)

  it('SIGHUP restarts the processes one at a time under load: no request fails, the pids change', async () => {
    served = await startWorkers(isOddApp, 2, { CHARIOTS_APP_PATH: dir })
    const old = await answeringPids(served, 2)
    expect(old.size).toBe(2)

    const agent = new Agent({ keepAlive: true, maxSockets: 4 })
    let restarted = false
    let answered = 0
    const failures: string[] = []
    const seen = new Set<number>()
    // 4 connections, each calling back to back until the restart is done, then 20 calls more.
    const connection = async () => {
      for (let after = 0; after < 20; after += restarted ? 1 : 0) {
        try {
          const answer = await call(served!, '/pipelines/is_odd/main', {
            body: { pipeline_input: 7 },
            agent,
          })
          if (answer.status === 200 && answer.body.pipeline_output === true) answered++
          else failures.push(`${answer.status} ${JSON.stringify(answer.body)}`)
          seen.add(answer.pid)
        } catch (err) {
          failures.push((err as Error).message)
        }
      }
    }
    try {
      const load = Promise.all([connection(), connection(), connection(), connection()])
      await new Promise((r) => setTimeout(r, 200)) // the load is running
      process.kill(served.pid, 'SIGHUP')
      await printed(served, 'restart done: every process is new')
      restarted = true
      await load
    } finally {
      agent.destroy()
    }
    expect(failures).toEqual([])
    expect(answered).toBeGreaterThan(80)
    const fresh = await answeringPids(served, 2)
    expect(fresh.size).toBe(2)
    for (const pid of fresh) expect(old.has(pid)).toBe(false)
    for (const pid of old) expect(isRunning(pid)).toBe(false)
    // The load was answered by old and new processes alike.
    expect([...seen].some((pid) => old.has(pid)) && [...seen].some((pid) => fresh.has(pid))).toBe(true)
  }, 120_000)

  it('a killed process is replaced, and serves what the others serve (the last /load, not the newest save)', async () => {
    served = await startWorkers(meanApp, 2, { CHARIOTS_STORE: dir })
    const one = new Agent({ keepAlive: true, maxSockets: 1 })
    let version: string
    try {
      const post = (path: string, body: unknown) => call(served!, path, { body, agent: one })
      await post('/pipelines/train_mean/main', { pipeline_input: [1, 2, 3] })
      version = ((await post('/pipelines/train_mean/save', null)).body.saved as { mean: { version: string } })
        .mean.version
      expect((await post('/pipelines/predict_mean/load', null)).status).toBe(200)
      // A newer model is saved, but not loaded: the processes keep serving the one loaded.
      await post('/pipelines/train_mean/main', { pipeline_input: [10, 20, 30] })
      expect((await post('/pipelines/train_mean/save', null)).status).toBe(200)
    } finally {
      one.destroy()
    }
    const old = await answeringPids(served, 2)
    const [victim] = [...old]
    process.kill(victim!, 'SIGKILL')
    await printed(served, `process ${victim} exited unexpectedly`)

    // It keeps answering while the replacement starts, and once it serves.
    const expectServed = async () => {
      const answer = await call(served!, '/pipelines/predict_mean/main', { body: { pipeline_input: [5] } })
      expect(answer.status).toBe(200)
      expect(answer.body).toMatchObject({ pipeline_output: [3], versions: { mean: version } })
      return answer.pid
    }
    while (!served.output().includes('replacement process ready')) {
      expect(await expectServed()).not.toBe(victim)
      await new Promise((r) => setTimeout(r, 25))
    }
    const pids = new Set<number>()
    for (let i = 0; i < 20 && pids.size < 2; i++) pids.add(await expectServed())
    expect(pids.size).toBe(2)
    const replacement = [...pids].find((pid) => !old.has(pid))
    expect(replacement).toBeDefined()
    expect(isRunning(victim!)).toBe(false)
  }, 90_000)

  it('composes with the announcer to other hosts: one /load reaches the other process and another server, each once', async () => {
    let redis: RunningRedis | undefined
    let other: Served | undefined
    try {
      redis = await startRedis()
      const env = { CHARIOTS_STORE: dir, CHARIOTS_ANNOUNCE: redis.url }
      served = await startWorkers(meanApp, 2, env)
      other = await startServe(meanApp, { env }) // another host's server, on the same store
      const one = new Agent({ keepAlive: true, maxSockets: 1 })
      let loaded: Answer
      let version: string
      try {
        const post = (path: string, body: unknown) => call(served!, path, { body, agent: one })
        await post('/pipelines/train_mean/main', { pipeline_input: [1, 2, 3] })
        const saved = await post('/pipelines/train_mean/save', null)
        version = (saved.body.saved as { mean: { version: string } }).mean.version
        loaded = await post('/pipelines/predict_mean/load', null)
      } finally {
        one.destroy()
      }
      // The other process heard it over IPC and through Redis: it answers once, as does the other server.
      expect(loaded.status).toBe(200)
      expect(loaded.body.in_step).toBe(true)
      expect(loaded.body.replicas).toEqual([
        expect.objectContaining({ status: 'loaded' }),
        expect.objectContaining({ status: 'loaded' }),
      ])
      const pids = new Set<number>()
      for (let i = 0; i < 20; i++) {
        const answer = await call(served, '/pipelines/predict_mean/main', { body: { pipeline_input: [5] } })
        expect(answer.body).toMatchObject({ pipeline_output: [3], versions: { mean: version } })
        pids.add(answer.pid)
      }
      expect(pids.size).toBe(2)
      const there = await call(other, '/pipelines/predict_mean/main', { body: { pipeline_input: [5] } })
      expect(there.body).toMatchObject({ pipeline_output: [3], versions: { mean: version } })
    } finally {
      await other?.stop()
      await redis?.stop()
    }
  }, 90_000)

  it.each(['0', '-1', 'abc'])('refuses --workers %s, naming the flag and the fix', async (value) => {
    const result = await runCli(['serve', isOddApp, '--workers', value])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(
      `chariots serve: --workers must be a number of processes from 1 to 256, or auto (one per core`,
    )
    expect(result.stderr).toContain(`got '${value}'. Example: --workers 2`)
    expect(result.stderr).toContain('usage: chariots serve <module>')
  })

  it('an app that cannot start is one error, printed once, and exit 1', async () => {
    const result = await runCli(['serve', join(dir, 'missing.ts'), '--workers', '2', '--port', '0'], {
      timeoutMs: 60_000,
    })
    expect(result.code).toBe(1)
    const lines = result.stderr.split('\n').filter((l) => l.includes('does not exist'))
    expect(lines).toEqual([
      expect.stringMatching(/^chariots serve: app module '.*missing\.ts' does not exist/),
    ])
  }, 60_000)
})
