import { ChariotsError, ErrorCode } from '@chariots/core'
import { HTTPException } from 'hono/http-exception'
import { type KnownErrorCode, ServerErrorCode, type WireErrorCode } from './server-error-code.js'

const CODE_FOR_STATUS: Readonly<Record<number, KnownErrorCode>> = {
  400: ServerErrorCode.INVALID_BODY,
  401: ServerErrorCode.UNAUTHORIZED,
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
export function toChariotsError(err: unknown): ChariotsError<WireErrorCode> {
  if (err instanceof ChariotsError) return err
  if (err instanceof HTTPException) {
    const code = CODE_FOR_STATUS[err.status] ?? ErrorCode.INTERNAL
    return new ChariotsError<KnownErrorCode>(code, err.message || `HTTP ${err.status}`, { cause: err })
  }
  const message = err instanceof Error ? err.message : String(err)
  return new ChariotsError(ErrorCode.INTERNAL, message || 'internal error', { cause: err })
}
