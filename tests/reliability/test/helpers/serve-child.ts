import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

/** The `chariots` bin of @chariots/server, as `node packages/server/bin/chariots.js` runs it. */
const BIN = fileURLToPath(new URL('../../../../packages/server/bin/chariots.js', import.meta.url))

/** A `chariots serve` child process answering on its port. */
export interface ServedChild {
  url: string
  child: ChildProcess
  /** Everything it printed so far. */
  output(): string
  /** Sends SIGKILL and resolves once the process is gone. */
  kill(): Promise<void>
}

/** A port free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

/**
 * Runs `node packages/server/bin/chariots.js serve <module> --port N` with `env` added, and
 * resolves once `GET /health_check` answers 200.
 *
 * @example
 * ```ts
 * const served = await serveChild('test/fixtures/kill-save-app.ts', { CHARIOTS_APP_PATH: root })
 * await fetch(`${served.url}/pipelines/train/save`, { method: 'POST', headers: { 'x-chariots': '1' } })
 * await served.kill()
 * ```
 */
export async function serveChild(modulePath: string, env: Record<string, string>): Promise<ServedChild> {
  const port = await freePort()
  let output = ''
  const child = spawn(process.execPath, [BIN, 'serve', modulePath, '--port', String(port)], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const gone = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  const served: ServedChild = {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    kill: async () => {
      child.kill('SIGKILL')
      await gone
    },
  }
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`chariots serve exited with ${child.exitCode}:\n${output}`)
    try {
      if ((await fetch(`${served.url}/health_check`)).ok) return served
    } catch {}
    await new Promise((r) => setTimeout(r, 50))
  }
  await served.kill()
  throw new Error(`chariots serve did not answer within 30 s:\n${output}`)
}
