import { timingSafeEqual } from 'node:crypto'
import { ChariotsError, ErrorCode } from '@chariots/core'
import type { MiddlewareHandler } from 'hono'
import { type KnownErrorCode, ServerErrorCode } from '../errors/server-error-code.js'

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

/** The cookie `/ui/login` sets, which the dashboard's requests carry instead of the header. */
export const LOGIN_COOKIE = 'chariots_token'

/**
 * Middleware that answers 401 `UNAUTHORIZED` unless the request carries the bearer token: in the
 * `Authorization` header, or in the HttpOnly, SameSite=Strict cookie the dashboard's login sets
 * (a page on another site cannot make the browser send it). The comparison takes the same time
 * whatever the token sent. A browser asking for a dashboard page without the token is sent to
 * `/ui/login`.
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
    const path = c.req.path
    const readOnly = method === 'GET' || method === 'HEAD'
    if (options.publicHealth && readOnly && isHealthPath(c.req.path)) return next()
    if (path.endsWith('/ui/login')) return next()
    const header = c.req.header('authorization') ?? ''
    const match = /^Bearer[ \t]+(.+)$/i.exec(header)
    const given = match ? match[1]!.trim() : cookieToken(c.req.header('cookie'))
    if (given === undefined || !sameToken(Buffer.from(given, 'utf8'), expected)) {
      const ui = /\/ui(\/(api\/)?)?$/.exec(path)
      if (readOnly && ui) return c.redirect(`${path.slice(0, ui.index)}/ui/login`, 303)
      c.header('WWW-Authenticate', 'Bearer')
      throw new ChariotsError<KnownErrorCode>(
        ServerErrorCode.UNAUTHORIZED,
        'missing or wrong bearer token; send Authorization: Bearer <token>',
      )
    }
    return next()
  }
}

/** Whether `given` is the token, in constant time. */
export function tokenMatches(given: string, token: string): boolean {
  return sameToken(Buffer.from(given, 'utf8'), Buffer.from(token, 'utf8'))
}

function cookieToken(cookies: string | undefined): string | undefined {
  if (!cookies) return undefined
  for (const part of cookies.split(';')) {
    const [name, ...value] = part.trim().split('=')
    if (name !== LOGIN_COOKIE) continue
    try {
      return decodeURIComponent(value.join('='))
    } catch {
      return undefined
    }
  }
  return undefined
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
