// Runs the built `chariots` CLI in child processes: one-shot commands, and `serve` on a free
// loopback port, stopped by its pid.
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

/** The CLI launcher (it imports dist/, so build first). */
export const CHARIOTS_BIN = fileURLToPath(new URL('../../bin/chariots.js', import.meta.url))

/** What a finished command printed and how it exited. */
export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** The environment without vitest's own variables, so a nested vitest or CLI behaves as in a shell. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')))
  return { ...env, ...extra }
}

/** Runs `node <file> ...args` to its end (killed after `timeoutMs`). */
export function runNode(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], {
      cwd: options.cwd,
      env: options.env ?? cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (d) => (stdout += d))
    child.stderr!.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** Runs `chariots ...args` (`env` is added to the clean environment). */
export function runCli(
  args: string[],
  options: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const { env, ...rest } = options
  return runNode(CHARIOTS_BIN, args, { ...rest, env: cleanEnv(env) })
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

/** A `chariots serve` child process. */
export interface Served {
  url: string
  pid: number
  /** Everything it printed so far. */
  output(): string
  /** Resolves with its exit code (null when a signal ended it) once it exited. */
  exited: Promise<number | null>
  /** SIGTERM, then SIGKILL after 5 s; resolves once it exited. */
  stop(): Promise<void>
}

/**
 * Starts `chariots serve <module>` (the CLI at `bin`, default this package's) on a free loopback
 * port; resolves once /health_check answers.
 */
export async function startServe(
  module: string,
  options: { cwd?: string; env?: Record<string, string>; bin?: string; args?: string[] } = {},
): Promise<Served> {
  const port = await freePort()
  const child: ChildProcess = spawn(
    process.execPath,
    [
      options.bin ?? CHARIOTS_BIN,
      'serve',
      module,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      ...(options.args ?? []),
    ],
    { cwd: options.cwd, env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const served: Served = {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      process.kill(child.pid!, 'SIGTERM')
      const hard = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(hard)
    },
  }
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`chariots serve exited with ${child.exitCode}:\n${output}`)
    try {
      if ((await fetch(`${served.url}/health_check`)).ok) return served
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  await served.stop()
  throw new Error(`chariots serve ${module} did not answer /health_check within 30 s:\n${output}`)
}
