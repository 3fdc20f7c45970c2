import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The `chariots` CLI of @chariots/server. */
export const CHARIOTS_BIN = fileURLToPath(new URL('../../../server/bin/chariots.js', import.meta.url))

/** A `chariots serve|worker` process started by a test. */
export interface ChariotsProcess {
  readonly child: ChildProcess
  readonly pid: number
  /** The first log line matching the ready pattern, parsed. */
  readonly ready: Record<string, unknown>
  /** The last 20 kB of stdout and stderr. */
  output(): string
  /** Sends `signal` (default SIGTERM) and resolves once the process exited (SIGKILL after 10 s). */
  stop(signal?: NodeJS.Signals): Promise<void>
}

/** Starts `chariots <args>` and resolves once a stdout line matches `readyPattern`. */
export function startChariots(
  args: string[],
  env: Record<string, string>,
  readyPattern: RegExp,
  timeoutMs = 30_000,
): Promise<ChariotsProcess> {
  const child = spawn(process.execPath, [CHARIOTS_BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const append = (d: Buffer) => {
    output = (output + d).slice(-20_000)
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
    process.off('exit', killOnExit)
  }
  child.stderr!.on('data', append)
  return new Promise((resolve, reject) => {
    let buffered = ''
    const timer = setTimeout(() => {
      void stop('SIGKILL')
      reject(new Error(`chariots ${args.join(' ')} was not ready within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(
        new Error(
          `chariots ${args.join(' ')} exited (code ${code}, signal ${signal}) before it was ready:\n${output}`,
        ),
      )
    })
    child.stdout!.on('data', (d: Buffer) => {
      append(d)
      buffered += d
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) {
        if (!readyPattern.test(line)) continue
        clearTimeout(timer)
        resolve({ child, pid: child.pid!, ready: JSON.parse(line), output: () => output, stop })
      }
    })
  })
}

/** Starts `chariots serve <app> --port 0` and answers its process and base URL. */
export async function startServer(app: string, env: Record<string, string>) {
  const proc = await startChariots(['serve', app, '--port', '0'], env, /"msg":"chariots listening"/)
  return { proc, url: `http://127.0.0.1:${proc.ready.port}` }
}

/** Starts `chariots worker <app> --concurrency n`. */
export function startWorker(app: string, env: Record<string, string>, concurrency = 1) {
  return startChariots(['worker', app, '--concurrency', String(concurrency)], env, /"msg":"worker started"/)
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
