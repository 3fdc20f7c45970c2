import type { Server } from 'node:http'
import { parseArgs } from 'node:util'
import { serve } from '@hono/node-server'
import { pino } from 'pino'
import { loadApp } from './load-app.js'
import { serveHints } from './serve-hints.js'
import { UsageError } from './usage-error.js'

const SHUTDOWN_TIMEOUT_MS = Number(process.env.CHARIOTS_SHUTDOWN_TIMEOUT_MS ?? 30_000)

/** Usage of `chariots serve`. */
export const SERVE_USAGE = 'chariots serve <module> [--port 5000] [--host 127.0.0.1]'

/**
 * `chariots serve <module>`: serves the module's app with @hono/node-server, one log line per
 * request; once listening, prints the pipelines and a few commands to try (on stderr). On SIGTERM
 * or SIGINT stops accepting, lets in-flight requests finish, closes the worker pool and exits 0.
 *
 * @example
 * ```sh
 * chariots serve src/app.ts --port 5000
 * ```
 */
export async function serveCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', short: 'p', default: '5000' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  })
  const [modulePath] = positionals
  const port = Number(values.port)
  if (!modulePath || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('expected an app module and a port from 0 to 65535')
  const logger = pino({ name: 'chariots', level: process.env.LOG_LEVEL ?? 'info' })
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'))
  const { app } = await loadApp(modulePath)
  app.logger ??= logger
  const fetch = (request: Request, env: unknown) => {
    const start = performance.now()
    const url = new URL(request.url)
    return Promise.resolve(app.fetch(request, env)).then((response) => {
      const ms = Math.round((performance.now() - start) * 100) / 100
      logger.info({ method: request.method, path: url.pathname, status: response.status, ms }, 'request')
      return response
    })
  }
  const server = serve({ fetch, port, hostname: values.host }, (info) => {
    const url = `http://${values.host}:${info.port}`
    logger.info({ url, port: info.port }, 'chariots listening')
    // For the person at the terminal; stderr keeps stdout to the JSON log lines.
    const names = [...(app.pipelines?.keys() ?? [])]
    process.stderr.write(`${serveHints(url, names, process.env.npm_config_user_agent)}\n`)
  }) as Server
  server.on('error', (err) => {
    logger.error({ err }, 'server error')
    process.exit(1)
  })
  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    logger.info({ signal }, 'shutting down: finishing in-flight requests')
    await closeServer(server)
    await app.close?.()
    logger.info('bye')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
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
