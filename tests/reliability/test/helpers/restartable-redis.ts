import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { pingRedis } from '@chariots/testing'
import { freePort } from './serve-child.js'

/** A `redis-server` that can be killed and started again on the same port and folder. */
export interface RestartableRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** The folder holding its append-only file. */
  readonly dir: string
  /** The running server's pid (undefined while it is down). */
  pid(): number | undefined
  /** Kills the server (SIGKILL by default: a crash) and resolves once it exited. */
  kill(signal?: NodeJS.Signals): Promise<void>
  /** Starts it again on the same port and folder; resolves once it answers PING. */
  start(): Promise<void>
  /** Kills it and removes its folder. */
  remove(): Promise<void>
}

/**
 * Starts `redis-server` on 127.0.0.1 and a free port with the append-only file on and fsynced on
 * every write (`appendfsync always`), so what Redis acknowledged survives even a SIGKILL. Unlike
 * `startRedis()` of @chariots/testing it can be restarted on the same port with the same data.
 *
 * @example
 * ```ts
 * const redis = await startRestartableRedis()
 * await redis.kill()
 * await redis.start() // same port, data back from the AOF
 * await redis.remove()
 * ```
 */
export async function startRestartableRedis(): Promise<RestartableRedis> {
  const port = await freePort()
  const dir = await mkdtemp(join(tmpdir(), 'chariots-redis-aof-'))
  const binary = process.env.REDIS_SERVER ?? 'redis-server'
  let child: ChildProcess | undefined
  let output = ''
  const killOnExit = () => child?.kill('SIGKILL')
  process.on('exit', killOnExit)
  const running = () => !!child && child.exitCode === null && child.signalCode === null

  const start = async () => {
    if (running()) throw new Error('redis-server is already running')
    // biome-ignore format: one flag and its value per line
    const args = [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--save', '',
      '--appendonly', 'yes',
      '--appendfsync', 'always',
      '--daemonize', 'no',
      '--loglevel', 'warning',
    ]
    const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    child = proc
    proc.stdout!.on('data', (d) => (output = (output + d).slice(-4_000)))
    proc.stderr!.on('data', (d) => (output = (output + d).slice(-4_000)))
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline) {
      if (!running()) throw new Error(`redis-server exited before answering PING:\n${output}`)
      if (await pingRedis(port)) return
      await sleep(20)
    }
    throw new Error(`redis-server on port ${port} did not answer PING within 10 s:\n${output}`)
  }

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const proc = child
    if (!proc || !running()) return
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
    proc.kill(signal)
    await exited
  }

  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    pid: () => (running() ? child?.pid : undefined),
    kill,
    start,
    remove: async () => {
      await kill()
      process.off('exit', killOnExit)
      await rm(dir, { recursive: true, force: true })
    },
  }
}
