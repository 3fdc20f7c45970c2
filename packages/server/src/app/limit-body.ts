import { ChariotsError, ErrorCode } from '@chariots/core'
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'

/** A body limit: its size in bytes, and how to raise it (appended to the 413's message). */
export interface BodyLimit {
  bytes: number
  /** For example `"; raise the app's bodyLimit option"`. */
  hint?: string
}

/**
 * Answers 413 `BODY_TOO_LARGE` for a body over the limit, a number of bytes or a function of the
 * request (a limit per pipeline). A request that declares its length is judged by its
 * Content-Length header alone, as hono's bodyLimit does, but without touching `c.req.raw.body`:
 * on @hono/node-server that would build a full web Request for every call (most of the request
 * time in a profile). Chunked or undeclared bodies go through hono's bodyLimit, which counts the
 * bytes as they stream and stops at the limit.
 *
 * @example
 * ```ts
 * app.post('/upload', limitBody(1024), handler)
 * ```
 */
export function limitBody(limit: number | ((c: Context) => BodyLimit)): MiddlewareHandler {
  return (c, next) => {
    const { bytes, hint = '' } = typeof limit === 'number' ? { bytes: limit } : limit(c)
    const tooLarge = (): never => {
      throw new ChariotsError(
        ErrorCode.BODY_TOO_LARGE,
        `the request body is larger than the limit of ${bytes} bytes${hint}`,
      )
    }
    const length = c.req.header('content-length')
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      return Number(length) > bytes ? tooLarge() : next()
    }
    return bodyLimit({ maxSize: bytes, onError: tooLarge })(c, next)
  }
}
