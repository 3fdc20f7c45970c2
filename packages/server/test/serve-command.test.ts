// `chariots serve` flags and logs, through the real CLI in child processes on free loopback ports.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CHARIOTS_BIN, cleanEnv, freePort, runCli, type Served, startServe } from './helpers/cli-process.js'
import { exchange } from './helpers/raw-socket.js'

const fixture = fileURLToPath(new URL('fixtures/cli-app.ts', import.meta.url))

/** The status of `GET /health_check` on 127.0.0.1:`port` with exactly this Host header. */
function statusWithHost(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/health_check', headers: { host }, agent: false },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

describe('chariots serve', () => {
  let dir: string
  let served: Served | undefined
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chariots-serve-'))
  })
  afterEach(async () => {
    await served?.stop()
    served = undefined
    await rm(dir, { recursive: true, force: true })
  })

  it('--allowed-hosts (over CHARIOTS_ALLOWED_HOSTS) adds Host names to the loopback check', async () => {
    served = await startServe(fixture, {
      env: { CHARIOTS_APP_PATH: dir, CHARIOTS_ALLOWED_HOSTS: 'from-env.example' },
      args: ['--allowed-hosts', 'models.internal,.corp.example'],
    })
    const port = Number(new URL(served.url).port)
    expect(await statusWithHost(port, `localhost:${port}`)).toBe(200)
    expect(await statusWithHost(port, 'models.internal')).toBe(200)
    expect(await statusWithHost(port, 'ml.corp.example:5000')).toBe(200)
    // The flag replaces the environment variable, as flags do.
    expect(await statusWithHost(port, 'from-env.example')).toBe(421)
    expect(await statusWithHost(port, 'attacker.example')).toBe(421)
  })

  it('CHARIOTS_ALLOWED_HOSTS alone, and all, allow what they name', async () => {
    served = await startServe(fixture, { env: { CHARIOTS_APP_PATH: dir, CHARIOTS_ALLOWED_HOSTS: 'all' } })
    expect(await statusWithHost(Number(new URL(served.url).port), 'anything.example')).toBe(200)
  })

  it('--headers-timeout-ms and --request-timeout-ms set the server timeouts (408 JSON)', async () => {
    served = await startServe(fixture, {
      env: { CHARIOTS_APP_PATH: dir },
      args: ['--headers-timeout-ms', '300', '--request-timeout-ms', '1000'],
    })
    const port = Number(new URL(served.url).port)
    const { answer, closedByServer } = await exchange(
      port,
      'GET /health_check HTTP/1.1\r\nHost: localhost\r\n',
    )
    expect(answer?.status).toBe(408)
    expect(JSON.parse(answer!.body).error).toMatchObject({
      code: 'REQUEST_TIMEOUT',
      message: expect.stringContaining(
        'headers must arrive within 300 ms and the whole request within 1000 ms',
      ),
    })
    expect(closedByServer).toBe(true)
  })

  it('on SIGTERM ends open event streams and exits cleanly, without waiting for them', async () => {
    served = await startServe(fixture, { env: { CHARIOTS_APP_PATH: dir } })
    const events = await fetch(`${served.url}/events`)
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const reading = events.body!.getReader()
    const started = Date.now()
    await served.stop() // SIGKILL after 5 s, which would not log 'bye'
    expect(Date.now() - started).toBeLessThan(4_000)
    expect(served.output()).toContain('bye')
    expect((await reading.read().catch(() => ({ done: true }))).done).toBe(true) // the stream ended
  })

  it('refuses a limit flag that is not a whole number, with the usage', async () => {
    const r = await runCli(['serve', fixture, '--max-connections', 'lots'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("chariots serve: --max-connections must be a whole number above 0, got 'lots'")
  })

  describe('logs', () => {
    let child: ChildProcess | undefined
    afterEach(async () => {
      if (child && child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((resolve) => child!.once('exit', resolve))
        process.kill(-child.pid!, 'SIGTERM') // the process group of the `script` we started
        await gone
      }
      child = undefined
    })

    it('are readable lines on a terminal (pino-pretty), JSON lines otherwise', async () => {
      const port = await freePort()
      // `script` runs the server on a pseudo-terminal, as a person at a shell would.
      const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`
      const command = [process.execPath, CHARIOTS_BIN, 'serve', fixture, '--port', String(port)]
        .map(quote)
        .join(' ')
      child = spawn('script', ['-qfec', command, '/dev/null'], {
        env: cleanEnv({ CHARIOTS_APP_PATH: dir }),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      })
      let output = ''
      child.stdout!.on('data', (d) => (output += d))
      const deadline = Date.now() + 30_000
      while (!output.includes('Serving 2 pipelines') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50))
      }
      await fetch(`http://127.0.0.1:${port}/health_check`)
      while (!output.includes('/health_check"') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50))
      }
      // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes of the terminal
      const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split(/\r?\n/)
      expect(lines).toContainEqual(
        expect.stringMatching(
          /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(chariots\): chariots listening \{"url":"http:\/\/127\.0\.0\.1:\d+","port":\d+\}$/,
        ),
      )
      expect(lines).toContainEqual(
        expect.stringMatching(
          /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(chariots\): request \{"method":"GET","path":"\/health_check","status":200,"ms":[\d.]+\}$/,
        ),
      )
      expect(lines.some((l) => l.startsWith('{"level"'))).toBe(false)

      // Off a terminal (a pipe) the same server logs JSON lines.
      served = await startServe(fixture, { env: { CHARIOTS_APP_PATH: dir } })
      const json = served
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
      expect(json).toContainEqual(expect.objectContaining({ level: 30, msg: 'chariots listening' }))
    })
  })
})
