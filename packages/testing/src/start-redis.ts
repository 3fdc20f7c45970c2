import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { pingRedis } from './ping-redis.js'

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** Turn on the append-only file (in the temporary folder; default false). */
  appendonly?: boolean
  /** The `redis-server` binary (default `$REDIS_SERVER` or `redis-server` on the PATH). */
  binary?: string
  /** How long to wait for the first PING (default 10 s). */
  timeoutMs?: number
}

/** A running `redis-server` started by {@link startRedis}. */
export interface RunningRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string
  port: number
  pid: number
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its folder. */
  stop(): Promise<void>
}

/**
 * Starts a real `redis-server` on 127.0.0.1 and a free port, with no RDB snapshots and its files in
 * a temporary folder; resolves once it answers PING. The server is killed when this process exits.
 *
 * @example
 * ```ts
 * const redis = await startRedis()
 * const pool = new RQWorkerPool({ connection: redis.url, queueName: `test-${randomUUID()}` })
 * // …
 * await redis.stop()
 * ```
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RunningRedis> {
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options)
    } catch (err) {
      lastError = err // another process may have taken the port in between: try another one
    }
  }
  throw lastError
}

async function startOnce(options: StartRedisOptions): Promise<RunningRedis> {
  const port = await freePort()
  const dir = await mkdtemp(join(tmpdir(), 'chariots-redis-'))
  const binary = options.binary ?? process.env.REDIS_SERVER ?? 'redis-server'
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    options.appendonly ? 'yes' : 'no',
  ]
  args.push('--dir', dir, '--daemonize', 'no', '--loglevel', 'warning')
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout?.on('data', (d) => (output = (output + d).slice(-4000)))
  child.stderr?.on('data', (d) => (output = (output + d).slice(-4000)))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const stop = async () => {
    process.off('exit', killOnExit)
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    }
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await waitForPing(port, child, options.timeoutMs ?? 10_000, () => output)
  } catch (err) {
    await stop()
    throw err
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid!, stop }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

async function waitForPing(
  port: number,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `redis-server exited (code ${child.exitCode}, signal ${child.signalCode}) before answering PING: ${output()}`,
      )
    }
    if (await pingRedis(port)) return
    await sleep(20)
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms: ${output()}`)
}
