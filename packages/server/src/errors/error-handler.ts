import type { ChariotsError } from '@chariots/core'
import type { Context, ErrorHandler } from 'hono'
import type { Logger } from 'pino'
import { closeIfBodyUnread } from '../app/close-if-body-unread.js'
import type { ErrorBody } from '../wire/error-body-wire.js'
import { statusForCode } from './status-for-code.js'
import { toChariotsError } from './to-chariots-error.js'

/** What the app's one `onError` needs. */
export interface ErrorHandlerOptions {
  /** Adds the stack trace to error bodies. */
  debug: boolean
  /** Receives server errors (5xx) at level error; client errors at debug. */
  logger: () => Logger | undefined
  /**
   * More facts for the details of a 419 (the retrain plan of the pipeline it is about); answered
   * without them when it resolves to undefined.
   */
  moreDetails?: (
    error: ChariotsError<string>,
    c: Context,
  ) => Promise<Record<string, unknown> | undefined> | undefined
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
    const logger = options.logger()
    const body: ErrorBody = { error: { code: error.code, message: error.message } }
    const details = jsonDetails(error, logger)
    if (details) body.error.details = details
    if (options.debug) body.error.stack = stackOf(error)
    if (status >= 500) logger?.error({ err: error.cause ?? error, code: error.code }, error.message)
    else logger?.debug({ code: error.code }, error.message)
    const answer = () => {
      closeIfBodyUnread(c.env)
      const retryAfter = retryAfterOf(error)
      if (retryAfter !== undefined) c.header('Retry-After', String(retryAfter))
      return c.json(body, status as 400)
    }
    const more = status === 419 ? options.moreDetails?.(error, c) : undefined
    if (!more) return answer()
    return more.then((extra) => {
      if (extra) body.error.details = { ...body.error.details, ...extra }
      return answer()
    })
  }
}

/**
 * The seconds an error asks the client to wait before retrying (`details.retryAfterSeconds`, a
 * whole number above 0, as a full worker pool's `QUEUE_FULL` carries), sent as `Retry-After`.
 */
export function retryAfterOf(error: ChariotsError<string>): number | undefined {
  const seconds = error.details?.retryAfterSeconds
  return typeof seconds === 'number' && Number.isSafeInteger(seconds) && seconds > 0 ? seconds : undefined
}

/** The details as plain JSON; a value JSON cannot write (a bigint, a cycle) is logged and left out. */
function jsonDetails(
  error: ChariotsError<string>,
  logger: Logger | undefined,
): Record<string, unknown> | undefined {
  if (error.details === undefined) return undefined
  try {
    return JSON.parse(JSON.stringify(error.details)) as Record<string, unknown>
  } catch (err) {
    logger?.warn({ err, code: error.code }, 'error details are not JSON; answered without them')
    return undefined
  }
}

function stackOf(error: Error): string | undefined {
  const cause = error.cause
  return cause instanceof Error && cause.stack ? cause.stack : error.stack
}
