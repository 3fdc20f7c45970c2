import type { ErrorHandler } from 'hono'
import type { Logger } from 'pino'
import { closeIfBodyUnread } from '../app/close-if-body-unread.js'
import { statusForCode } from './status-for-code.js'
import { toChariotsError } from './to-chariots-error.js'

/** What the app's one `onError` needs. */
export interface ErrorHandlerOptions {
  /** Adds the stack trace to error bodies. */
  debug: boolean
  /** Receives server errors (5xx) at level error; client errors at debug. */
  logger: () => Logger | undefined
}

/** The JSON body of every error: `{ error: { code, message } }`, plus `stack` in debug mode. */
export interface ErrorBody {
  error: { code: string; message: string; stack?: string }
}

/**
 * The app's one `onError`: maps the error's code to a status with {@link statusForCode} and answers
 * the JSON error body. An answer sent before the request's body arrived closes the connection.
 *
 * @example
 * ```ts
 * app.onError(createErrorHandler({ debug: false, logger: () => undefined }))
 * ```
 */
export function createErrorHandler(options: ErrorHandlerOptions): ErrorHandler {
  return (err, c) => {
    const error = toChariotsError(err)
    const status = statusForCode(error.code)
    const body: ErrorBody = { error: { code: error.code, message: error.message } }
    if (options.debug) body.error.stack = stackOf(error)
    const logger = options.logger()
    if (status >= 500) logger?.error({ err: error.cause ?? error, code: error.code }, error.message)
    else logger?.debug({ code: error.code }, error.message)
    closeIfBodyUnread(c.env)
    return c.json(body, status as 400)
  }
}

function stackOf(error: Error): string | undefined {
  const cause = error.cause
  return cause instanceof Error && cause.stack ? cause.stack : error.stack
}
