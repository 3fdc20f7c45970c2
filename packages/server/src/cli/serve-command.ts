import type { Server } from 'node:http'
import { parseArgs } from 'node:util'
import { serve } from '@hono/node-server'
import type { AllowedHosts } from '../app/host-check.js'
import { createLogger } from './create-logger.js'
import { applyHttpServerLimits, type HttpServerLimits } from './http-server-limits.js'
import { listenError } from './listen-error.js'
import { loadApp } from './load-app.js'
import { serveHints } from './serve-hints.js'
import { UsageError } from './usage-error.js'

const SHUTDOWN_TIMEOUT_MS = Number(process.env.CHARIOTS_SHUTDOWN_TIMEOUT_MS ?? 30_000)

/** Each limit flag and the {@link HttpServerLimits} field it sets. */
const LIMIT_FLAGS = {
  'headers-timeout-ms': 'headersTimeoutMs',
  'request-timeout-ms': 'requestTimeoutMs',
  'keep-alive-timeout-ms': 'keepAliveTimeoutMs',
  'max-connections': 'maxConnections',
} as const satisfies Record<string, keyof HttpServerLimits>

/**
 * `chariots serve <module>`: serves the module's app with @hono/node-server under
 * {@link applyHttpServerLimits} (flags override each limit), one log line per request; once
 * listening, prints the pipelines and a few commands to try (on stderr). `--allowed-hosts` (or
 * `CHARIOTS_ALLOWED_HOSTS`, comma-separated; `all` for any) adds to the app's `allowedHosts`. A port
 * in use, or any start-up mistake, is one line and exit 1. On SIGTERM or SIGINT stops accepting,
 * lets in-flight requests finish, closes the worker pool and exits 0.
 *
 * @example
 * ```sh
 * chariots serve src/app.ts --port 5000 --allowed-hosts models.internal
 * ```
 */
export async function serveCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', short: 'p', default: '5000' },
      host: { type: 'string', default: '127.0.0.1' },
      'allowed-hosts': { type: 'string', default: process.env.CHARIOTS_ALLOWED_HOSTS ?? '' },
      'headers-timeout-ms': { type: 'string' },
      'request-timeout-ms': { type: 'string' },
      'keep-alive-timeout-ms': { type: 'string' },
      'max-connections': { type: 'string' },
    },
  })
  const [modulePath] = positionals
  const port = Number(values.port)
  if (!modulePath || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('expected an app module and a port from 0 to 65535')
  const limits = limitsFrom(values)
  const logger = createLogger({ name: 'chariots' })
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'))
  const { app } = await loadApp(modulePath)
  app.logger ??= logger
  app.allowedHosts = withHosts(app.allowedHosts ?? [], values['allowed-hosts'])
  const fetch = (request: Request, env: unknown) => {
    const start = performance.now()
    const url = new URL(request.url)
    return Promise.resolve(app.fetch(request, env)).then((response) => {
      const ms = Math.round((performance.now() - start) * 100) / 100
      logger.info({ method: request.method, path: url.pathname, status: response.status, ms }, 'request')
      return response
    })
  }
  const server = applyHttpServerLimits(serve({ fetch, port, hostname: values.host }) as Server, limits)
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', (err) => reject(listenError(err, values.host, port)))
  })
  const { port: bound } = server.address() as { port: number }
  const url = `http://${values.host}:${bound}`
  logger.info({ url, port: bound }, 'chariots listening')
  // For the person at the terminal; stderr keeps stdout to the log lines.
  const names = [...(app.pipelines?.keys() ?? [])]
  process.stderr.write(`${serveHints(url, names, process.env.npm_config_user_agent)}\n`)
  // Once listening, an error (EMFILE while accepting) is logged: the server keeps serving.
  server.on('error', (err) => logger.error({ err }, 'server error'))
  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    logger.info({ signal }, 'shutting down: finishing in-flight requests')
    app.endEventStreams?.() // open SSE streams would hold the connections until the hard timeout
    await closeServer(server)
    await app.close?.()
    logger.info('bye')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

/** The limits the flags set (the others keep their defaults). */
function limitsFrom(values: Partial<Record<keyof typeof LIMIT_FLAGS, string>>): Partial<HttpServerLimits> {
  const limits: Partial<HttpServerLimits> = {}
  for (const [flag, field] of Object.entries(LIMIT_FLAGS) as [
    keyof typeof LIMIT_FLAGS,
    keyof HttpServerLimits,
  ][]) {
    const text = values[flag]
    if (text === undefined) continue
    const n = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN
    if (!Number.isSafeInteger(n) || n < 1)
      throw new UsageError(`--${flag} must be a whole number above 0, got '${text}'`)
    limits[field] = n
  }
  return limits
}

/** `allowed` plus the comma-separated names of a flag; `all` (or `*`) allows any host. */
function withHosts(allowed: AllowedHosts, flag: string): AllowedHosts {
  const names = flag
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '')
  if (allowed === true || names.includes('all') || names.includes('*')) return true
  return [...allowed, ...names]
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // close() waits for open connections; keep-alive ones are idle between requests, so close
    // those as they become idle, and everything after the timeout.
    const idle = setInterval(() => server.closeIdleConnections(), 100)
    const hard = setTimeout(() => server.closeAllConnections(), SHUTDOWN_TIMEOUT_MS)
    server.close(() => {
      clearInterval(idle)
      clearTimeout(hard)
      resolve()
    })
    server.closeIdleConnections()
  })
}
