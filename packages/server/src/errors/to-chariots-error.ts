import { ChariotsError, ErrorCode } from '@chariots/core'
import { HTTPException } from 'hono/http-exception'

const CODE_FOR_STATUS: Record<number, string> = {
  400: ErrorCode.INVALID_BODY,
  401: ErrorCode.UNAUTHORIZED,
  404: ErrorCode.NOT_FOUND,
  413: ErrorCode.BODY_TOO_LARGE,
}

/**
 * Any thrown value as a {@link ChariotsError}: ChariotsErrors as they are, Hono's HTTPExceptions by
 * their status, anything else as `INTERNAL` with its own message.
 *
 * @example
 * ```ts
 * toChariotsError(new Error('boom')).code // 'INTERNAL'
 * ```
 */
export function toChariotsError(err: unknown): ChariotsError {
  if (ChariotsError.is(err)) return err
  if (err instanceof HTTPException) {
    const code = CODE_FOR_STATUS[err.status] ?? ErrorCode.INTERNAL
    return new ChariotsError(code, err.message || `HTTP ${err.status}`, { cause: err })
  }
  const message = err instanceof Error ? err.message : String(err)
  return new ChariotsError(ErrorCode.INTERNAL, message || 'internal error', { cause: err })
}
