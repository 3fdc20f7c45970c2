import { ChariotsError, ErrorCode } from '@chariots/core'
import type { ErrorHandler, NotFoundHandler } from 'hono'
import { type KnownErrorCode, ServerErrorCode } from '../errors/server-error-code.js'
import { allowedMethods, type RouteLike } from './allowed-methods.js'

/**
 * The app's answer when no route matched: 405 `METHOD_NOT_ALLOWED` with an `Allow` header when
 * the path is a route for other methods (GET on `/pipelines/:name/main`), else 404 `NOT_FOUND`.
 * Both go through the app's one error handler.
 *
 * @example
 * ```ts
 * app.notFound(createNotFoundHandler(() => app.routes, onError))
 * ```
 */
export function createNotFoundHandler(
  routes: () => readonly RouteLike[],
  onError: ErrorHandler,
): NotFoundHandler {
  return (c) => {
    const { method, path } = c.req
    const allow = allowedMethods(routes(), path)
    const shownPath = path.slice(0, 200)
    if (allow.length > 0 && !allow.includes(method)) {
      c.header('Allow', allow.join(', '))
      const others = allow.filter((m) => m !== 'HEAD')
      return onError(
        new ChariotsError<KnownErrorCode>(
          ServerErrorCode.METHOD_NOT_ALLOWED,
          `method ${method} is not allowed on ${shownPath}; use ${others.join(' or ')} (see GET /openapi.json)`,
        ),
        c,
      )
    }
    return onError(
      new ChariotsError(ErrorCode.NOT_FOUND, `no route ${method} ${shownPath}; see GET /openapi.json`),
      c,
    )
  }
}
