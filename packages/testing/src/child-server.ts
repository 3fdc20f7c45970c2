import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { ChariotsError, ErrorCode } from '@chariots/core'

/** Options of {@link startChildServer}. */
export interface ChildServerOptions {
  /** What the messages call it: `redis-server`, `s3rver`, `postgres`. */
  name: string
  /** The program and its arguments. */
  command: string[]
  env?: NodeJS.ProcessEnv
  /** Whether it serves yet (polled until it does). */
  isReady: () => Promise<boolean> | boolean
  /** What ready means, for the messages: "answer PING on port 6379". */
  readiness: string
  /** How long to wait for `isReady`, and how often to ask (default every 20 ms). */
  timeoutMs: number
  pollMs?: number
  /** How to ask it to stop (default SIGTERM); SIGKILL after `killAfterMs` (default 5 s). */
  stopSignal?: NodeJS.Signals
  killAfterMs?: number
  /** What to tell a user whose server does not start. */
  fix: string
}

/** A server process started by {@link startChildServer}. */
export interface ChildServer {
  readonly pid: number
  /** Asks it to stop, kills it if it lingers, and resolves once it exited. */
  stop(): Promise<void>
}

/**
 * Spawns a server for a test (redis-server, s3rver, postgres), killed when this process exits, and
 * resolves once `isReady` holds. A server that exits first, or is not ready in time, is stopped and
 * reported as `BACKEND_UNAVAILABLE` with the end of its output.
 *
 * @example
 * ```ts
 * const server = await startChildServer({ name: 'redis-server', command: ['redis-server', '--port', '6390'],
 *   isReady: () => pingRedis(6390), readiness: 'answer PING on port 6390', timeoutMs: 10_000, fix: '…' })
 * await server.stop()
 * ```
 */
export async function startChildServer(options: ChildServerOptions): Promise<ChildServer> {
  const { name, command } = options
  const child = spawn(command[0]!, command.slice(1), { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  let spawnError: Error | undefined
  child.once('error', (err) => {
    spawnError = err
  })
  child.stdout?.on('data', (d) => (output = (output + d).slice(-4000)))
  child.stderr?.on('data', (d) => (output = (output + d).slice(-4000)))
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.once('error', () => resolve())
  })
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const stop = async () => {
    process.off('exit', killOnExit)
    if (!spawnError && child.exitCode === null && child.signalCode === null) {
      child.kill(options.stopSignal ?? 'SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 5_000)
      await exited
      clearTimeout(timer)
    }
  }
  const unavailable = (what: string) =>
    new ChariotsError(ErrorCode.BACKEND_UNAVAILABLE, `${name} ${what}; ${options.fix}: ${output.trim()}`, {
      details: { server: name, command },
    })
  const deadline = Date.now() + options.timeoutMs
  try {
    for (;;) {
      if (spawnError) throw unavailable(`could not be started (${spawnError.message})`)
      if (child.exitCode !== null || child.signalCode !== null) {
        throw unavailable(
          `exited (code ${child.exitCode}, signal ${child.signalCode}) before it could ${options.readiness}`,
        )
      }
      if (await options.isReady()) return { pid: child.pid!, stop }
      if (Date.now() >= deadline) {
        throw unavailable(`did not ${options.readiness} within ${options.timeoutMs} ms`)
      }
      await sleep(options.pollMs ?? 20)
    }
  } catch (err) {
    await stop()
    throw err
  }
}

/**
 * Runs `start` up to three times: a free port found before the server starts may be taken by
 * another process in between. A port the caller chose is tried once.
 */
export async function retryOnPortClash<T>(start: () => Promise<T>, portChosen = false): Promise<T> {
  let lastError: unknown
  for (let attempt = 0; attempt < (portChosen ? 1 : 3); attempt++) {
    try {
      return await start()
    } catch (err) {
      lastError = err
    }
  }
  throw lastError
}
