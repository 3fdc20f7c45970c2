import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { ChariotsError, ErrorCode } from '@chariots/core'
import type { ServerType } from '@hono/node-server'
import { createClientErrorHandler } from './client-error-handler.js'

/** Timeouts and caps of the Node HTTP server that serves an app. */
export interface HttpServerLimits {
  /** Time a client has to send a request's headers, in ms (default 10 s); then 408 and close. */
  headersTimeoutMs: number
  /** Time a client has to send a whole request, body included, in ms (default 60 s); then 408. */
  requestTimeoutMs: number
  /** How long an idle keep-alive connection stays open, in ms (default 5 s). */
  keepAliveTimeoutMs: number
  /**
   * Most connections open at once; the server closes further ones as they arrive (default 1,000,
   * or half the process's open-file limit when that is lower), so slow or idle sockets cannot use
   * up the file descriptors the store needs.
   */
  maxConnections: number
}

/**
 * The default {@link HttpServerLimits} of `chariots serve` and {@link applyHttpServerLimits}.
 *
 * @example
 * ```ts
 * DEFAULT_HTTP_SERVER_LIMITS.headersTimeoutMs // 10000
 * ```
 */
export const DEFAULT_HTTP_SERVER_LIMITS: Readonly<HttpServerLimits> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: defaultMaxConnections(),
})

/**
 * Applies {@link HttpServerLimits} (defaults for what is not given) to a Node HTTP server, and
 * answers the HTTP parser's errors as JSON (`{"error": {"code", "message"}}`): 431
 * `HEADERS_TOO_LARGE` (a URL over 16 KB, too many headers), 400 `MALFORMED_REQUEST` (a bad
 * method, Content-Length with Transfer-Encoding, bare LF), 408 `REQUEST_TIMEOUT`. Call it on the
 * server `serve()` of @hono/node-server returns, before it is listening (in the same tick), so
 * the timeouts are checked every second rather than Node's default of every 30 s.
 *
 * @example
 * ```ts
 * import { serve } from '@hono/node-server'
 * const server = applyHttpServerLimits(serve({ fetch: app.fetch, port: 5000 }), { maxConnections: 200 })
 * ```
 */
export function applyHttpServerLimits<S extends ServerType>(
  server: S,
  limits: Partial<HttpServerLimits> = {},
): S {
  if (!isHttp1(server)) {
    throw new ChariotsError(
      ErrorCode.INVALID_INPUT,
      'applyHttpServerLimits needs an HTTP/1.1 server (node:http or node:https, what serve() of @hono/node-server creates by default); an HTTP/2 server has its own session limits',
    )
  }
  applyTo(server, checkLimits({ ...DEFAULT_HTTP_SERVER_LIMITS, ...limits }))
  return server
}

/** Whether the server is an HTTP/1.1 one (node:http, or node:https which has the same timeouts). */
function isHttp1(server: ServerType): server is ServerType & Server {
  return 'headersTimeout' in server && 'requestTimeout' in server
}

function applyTo(server: Server, all: HttpServerLimits): void {
  server.headersTimeout = all.headersTimeoutMs
  server.requestTimeout = all.requestTimeoutMs
  server.keepAliveTimeout = all.keepAliveTimeoutMs
  server.maxConnections = all.maxConnections
  // Node checks both timeouts on an interval read when the server starts listening.
  const interval = Math.max(100, Math.min(1_000, Math.floor(all.headersTimeoutMs / 4)))
  ;(server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = interval
  if (server.listening) {
    for (const listener of server.listeners('listening')) {
      if (listener.name === 'setupConnectionsTracking') (listener as () => void).call(server)
    }
  }
  server.removeAllListeners('clientError')
  server.on('clientError', createClientErrorHandler(all))
}

function checkLimits(limits: HttpServerLimits): HttpServerLimits {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new ChariotsError(
        ErrorCode.INVALID_INPUT,
        `server limit ${name} must be a whole number above 0, got ${String(value)}`,
      )
    }
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ChariotsError(
      ErrorCode.INVALID_INPUT,
      `server limit headersTimeoutMs (${limits.headersTimeoutMs}) must not be above requestTimeoutMs (${limits.requestTimeoutMs}): the headers are part of the request`,
    )
  }
  return limits
}

/** 1,000, or half the soft open-file limit when that is lower (Linux; 1,000 elsewhere). */
function defaultMaxConnections(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'))
    const soft = Number(line?.split(/\s{2,}/)[1])
    if (Number.isSafeInteger(soft) && soft > 0) return Math.max(16, Math.min(1_000, Math.floor(soft / 2)))
  } catch {
    // Not Linux: no /proc.
  }
  return 1_000
}
