// Where the store goes: `chariots serve apps/iris/app.ts` started from another folder (here a
// temporary one; the repository root is the usual case) keeps the models beside app.ts, and a
// relative CHARIOTS_PATH is read against that folder too, never against the working directory.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'

const APP_DIR = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '')
const CHARIOTS = join(APP_DIR, 'node_modules/@chariots/server/bin/chariots.js')
const cleanups: (() => Promise<unknown>)[] = []

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

/** `chariots serve <app.ts>` in `cwd`; answers its URL and its output once /health_check answers. */
async function serve(cwd: string, env: Record<string, string>): Promise<{ url: string; output(): string }> {
  const port = await freePort()
  const child: ChildProcess = spawn(
    process.execPath,
    [CHARIOTS, 'serve', join(APP_DIR, 'app.ts'), '--port', String(port)],
    { cwd, env: { ...process.env, REDIS_URL: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  })
  const url = `http://127.0.0.1:${port}`
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`chariots serve exited with ${child.exitCode}:\n${output}`)
    if (
      await fetch(`${url}/health_check`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, output: () => output }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`chariots serve did not answer /health_check:\n${output}`)
}

describe('the store folder of apps/iris', () => {
  it('is read against the app folder, not the working directory, and is printed at start-up', {
    timeout: 60_000,
  }, async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'iris-cwd-'))
    // Inside the gitignored default store, so a failed run leaves nothing to commit.
    const relativeStore = `.chariots-data/test-${randomUUID().slice(0, 8)}`
    const store = join(APP_DIR, relativeStore)
    cleanups.push(() => rm(cwd, { recursive: true, force: true }))
    cleanups.push(() => rm(store, { recursive: true, force: true }))

    const { url, output } = await serve(cwd, { CHARIOTS_PATH: relativeStore })
    expect(output()).toContain(`Store: ${store} (CHARIOTS_PATH moves it)`)
    const res = await fetch(`${url}/pipelines/download_iris/main`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(res.status).toBe(200)
    expect(existsSync(join(store, 'data/iris.csv'))).toBe(true)
    expect(existsSync(join(cwd, '.chariots-data'))).toBe(false)
    expect(existsSync(join(cwd, relativeStore))).toBe(false)
  })
})
