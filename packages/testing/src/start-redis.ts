import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ChildServer, retryOnPortClash, startChildServer } from './child-server.js'
import { freePort } from './free-port.js'
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
  return retryOnPortClash(() => startOnce(options))
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
  let server: ChildServer
  try {
    server = await startChildServer({
      name: 'redis-server',
      command: [binary, ...args],
      isReady: () => pingRedis(port),
      readiness: `answer PING on port ${port}`,
      timeoutMs: options.timeoutMs ?? 10_000,
      fix: 'install redis-server, or name its binary with REDIS_SERVER or the binary option',
    })
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
  const stop = async () => {
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: server.pid, stop }
}
