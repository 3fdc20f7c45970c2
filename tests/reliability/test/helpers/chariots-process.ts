import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { freePort } from './serve-child.js'

/** The `chariots` CLI of @chariots/server, as `node packages/server/bin/chariots.js` runs it. */
const CHARIOTS_BIN = fileURLToPath(new URL('../../../../packages/server/bin/chariots.js', import.meta.url))

/** A `chariots serve|worker` child process started by a test. */
export interface ChariotsProcess {
  readonly child: ChildProcess
  readonly pid: number
  /** The last 20 kB of stdout and stderr. */
  output(): string
  /** Whether the process has exited. */
  exited(): boolean
  /** Sends `signal` (default SIGTERM) and resolves once the process exited (SIGKILL after 10 s). */
  stop(signal?: NodeJS.Signals): Promise<void>
}

/** A `chariots serve` process and where it answers. */
export interface ServerProcess extends ChariotsProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
}

/** Options of {@link startServer} and {@link startWorker}. */
export interface ChariotsProcessOptions {
  /** Flags for node itself, before the CLI (e.g. `--expose-gc`). */
  nodeArgs?: string[]
  /** pino level (default `warn` for servers: no line per request; `info` for workers). */
  logLevel?: string
  /** How long to wait for the process to be ready (default 30 s). */
  timeoutMs?: number
  /** More CLI flags after the command's own (e.g. `--headers-timeout-ms 2000`). */
  args?: string[]
  /** Run under `prlimit --nofile=N:N`: a lower open-file limit, as on a small container. */
  openFiles?: number
}

function launch(args: string[], env: Record<string, string>, options: ChariotsProcessOptions, level: string) {
  const command = [
    process.execPath,
    ...(options.nodeArgs ?? []),
    CHARIOTS_BIN,
    ...args,
    ...(options.args ?? []),
  ]
  // prlimit execs the command, so the pid is still the server's.
  const [file, ...rest] =
    options.openFiles === undefined
      ? command
      : ['prlimit', `--nofile=${options.openFiles}:${options.openFiles}`, ...command]
  const child = spawn(file!, rest, {
    env: { ...process.env, LOG_LEVEL: options.logLevel ?? level, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const append = (d: Buffer) => {
    output = (output + d).slice(-20_000)
  }
  child.stdout!.on('data', append)
  child.stderr!.on('data', append)
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const exited = () => child.exitCode !== null || child.signalCode !== null
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!exited()) {
      child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await gone
      clearTimeout(timer)
    }
    process.off('exit', killOnExit)
  }
  const proc: ChariotsProcess = { child, pid: child.pid!, output: () => output, exited, stop }
  return proc
}

/**
 * Starts `node [nodeArgs] packages/server/bin/chariots.js serve <app> --port <free port>` (127.0.0.1
 * only) and resolves once `GET /health_check` answers 200.
 *
 * @example
 * ```ts
 * const server = await startServer(APP, { CHARIOTS_TEST_PATH: dir }, { nodeArgs: ['--expose-gc'] })
 * await server.stop()
 * ```
 */
export async function startServer(
  app: string,
  env: Record<string, string>,
  options: ChariotsProcessOptions = {},
): Promise<ServerProcess> {
  const port = await freePort()
  const proc = launch(['serve', app, '--port', String(port), '--host', '127.0.0.1'], env, options, 'warn')
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
  while (Date.now() < deadline) {
    if (proc.exited()) throw new Error(`chariots serve ${app} exited before it was ready:\n${proc.output()}`)
    try {
      if ((await fetch(`${url}/health_check`)).ok) return { ...proc, url }
    } catch {}
    await new Promise((r) => setTimeout(r, 50))
  }
  await proc.stop('SIGKILL')
  throw new Error(
    `chariots serve ${app} did not answer within ${options.timeoutMs ?? 30_000} ms:\n${proc.output()}`,
  )
}

/**
 * Starts `chariots worker <app> --concurrency n` and resolves once it logs `worker started` (its
 * BullMQ worker is connected and its job threads imported the app).
 */
export function startWorker(
  app: string,
  env: Record<string, string>,
  concurrency = 1,
  options: ChariotsProcessOptions = {},
): Promise<ChariotsProcess> {
  const proc = launch(['worker', app, '--concurrency', String(concurrency)], env, options, 'info')
  const timeoutMs = options.timeoutMs ?? 30_000
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void proc.stop('SIGKILL')
      reject(new Error(`chariots worker ${app} was not ready within ${timeoutMs} ms:\n${proc.output()}`))
    }, timeoutMs)
    const onExit = (code: number | null, signal: string | null) => {
      clearTimeout(timer)
      reject(
        new Error(
          `chariots worker exited (code ${code}, signal ${signal}) before it was ready:\n${proc.output()}`,
        ),
      )
    }
    proc.child.once('exit', onExit)
    let buffered = ''
    const onData = (d: Buffer) => {
      buffered += d
      if (!/"msg":"worker started"/.test(buffered)) {
        buffered = buffered.slice(-2_000)
        return
      }
      clearTimeout(timer)
      proc.child.off('exit', onExit)
      proc.child.stdout!.off('data', onData)
      resolve(proc)
    }
    proc.child.stdout!.on('data', onData)
  })
}

/** Whether a process with this pid is alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
