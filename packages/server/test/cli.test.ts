import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Client } from '../src/client/index.js'
import { tempDir } from './helpers/transports.js'

const here = dirname(fileURLToPath(import.meta.url))
const bin = resolve(here, '../bin/chariots.js')
const fixture = resolve(here, 'fixtures/cli-app.ts')

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer()
    srv.on('error', fail)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => done(port))
    })
  })
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`chariots serve exited with ${child.exitCode}:\n${output()}`)
    try {
      if ((await fetch(`${url}/health_check`)).ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`chariots serve did not answer in time:\n${output()}`)
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((done) => {
    if (child.exitCode !== null) done(child.exitCode)
    else child.once('exit', (code) => done(code))
  })

describe('chariots CLI', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let child: ChildProcess | undefined
  beforeEach(async () => {
    dir = await tempDir()
  })
  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL')
      await exited(child)
    }
    await dir.remove()
  })

  it('serves a .ts app module, logs each request, and shuts down gracefully on SIGTERM', async () => {
    const port = await freePort()
    let output = ''
    child = spawn(process.execPath, [bin, 'serve', fixture, '--port', String(port)], {
      env: { ...process.env, CHARIOTS_APP_PATH: dir.path },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout!.on('data', (d) => (output += d))
    child.stderr!.on('data', (d) => (output += d))
    const url = `http://127.0.0.1:${port}`
    await waitForHealth(url, child, () => output)

    const client = new Client(url)
    expect((await client.callPipeline('is_odd', 4)).value).toBe(false)
    const slow = client.callPipeline('slow', 800)
    await new Promise((r) => setTimeout(r, 250))
    child.kill('SIGTERM')
    expect((await slow).value).toBe('slept 800 ms')
    expect(await exited(child)).toBe(0)

    const lines = output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'chariots listening', port }))
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'request',
        method: 'POST',
        path: '/pipelines/is_odd/main',
        status: 200,
      }),
    )
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'request', path: '/pipelines/slow/main', status: 200 }),
    )
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'shutting down: finishing in-flight requests', signal: 'SIGTERM' }),
    )
  })

  it('exits 2 with the usage on an unknown command or a missing module', async () => {
    for (const args of [['nope'], ['serve']]) {
      let stderr = ''
      child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
      child.stderr!.on('data', (d) => (stderr += d))
      expect(await exited(child)).toBe(2)
      expect(stderr).toMatch(/usage: chariots/)
    }
  })

  it('worker exits 1 when the app has no worker pool', async () => {
    let output = ''
    child = spawn(process.execPath, [bin, 'worker', fixture], {
      env: { ...process.env, CHARIOTS_APP_PATH: dir.path },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout!.on('data', (d) => (output += d))
    child.stderr!.on('data', (d) => (output += d))
    expect(await exited(child)).toBe(1)
    expect(output).toMatch(/has no workerPool/)
  })
})
