import { timingSafeEqual } from 'node:crypto'
import { ChariotsError, ErrorCode } from '@chariots/core'
import type { MiddlewareHandler } from 'hono'

/** The `auth` option of `Chariots`. */
export interface AuthOptions {
  /** The token every request must send as `Authorization: Bearer <token>`. */
  token: string
  /**
   * Let `GET /health_check`, `GET /pipelines/:name/health_check`, `GET /livez` and `GET /readyz`
   * (and `HEAD` of them, as for every GET route) through without a token: probes send none.
   */
  publicHealth?: boolean
}

/**
 * Middleware that answers 401 `UNAUTHORIZED` unless the request carries the bearer token. The
 * comparison takes the same time whatever the token sent.
 *
 * @example
 * ```ts
 * app.use('*', bearerAuth({ token: process.env.CHARIOTS_TOKEN!, publicHealth: true }))
 * ```
 */
export function bearerAuth(options: AuthOptions): MiddlewareHandler {
  if (typeof options.token !== 'string' || options.token.length === 0) {
    throw new ChariotsError(ErrorCode.INVALID_INPUT, 'auth.token must be a non-empty string')
  }
  const expected = Buffer.from(options.token, 'utf8')
  return async (c, next) => {
    const method = c.req.method
    const readOnly = method === 'GET' || method === 'HEAD'
    if (options.publicHealth && readOnly && isHealthPath(c.req.path)) return next()
    const header = c.req.header('authorization') ?? ''
    const match = /^Bearer[ \t]+(.+)$/i.exec(header)
    if (!match || !sameToken(Buffer.from(match[1]!.trim(), 'utf8'), expected)) {
      c.header('WWW-Authenticate', 'Bearer')
      throw new ChariotsError(
        ErrorCode.UNAUTHORIZED,
        'missing or wrong bearer token; send Authorization: Bearer <token>',
      )
    }
    return next()
  }
}

function sameToken(given: Buffer, expected: Buffer): boolean {
  // timingSafeEqual needs equal lengths: compare against ourselves to spend the same time, then fail.
  if (given.length !== expected.length) {
    timingSafeEqual(expected, expected)
    return false
  }
  return timingSafeEqual(given, expected)
}

/** The health and probe routes `publicHealth` opens. */
function isHealthPath(path: string): boolean {
  return path.endsWith('/health_check') || path === '/livez' || path === '/readyz'
}
