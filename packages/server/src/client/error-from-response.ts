import { ChariotsError, ErrorCode, VersionError } from '@chariots/core'

/**
 * Rebuilds the error a server answered: a `VersionError` for 419 (what the Python client calls a
 * version error; its `code` stays the body's, `VERSION_INCOMPATIBLE` or `PIPELINE_NOT_LOADED`),
 * else a `ChariotsError` with the body's code and message.
 *
 * @example
 * ```ts
 * errorFromResponse(404, { error: { code: 'PIPELINE_NOT_FOUND', message: '…' } }).code // 'PIPELINE_NOT_FOUND'
 * ```
 */
export function errorFromResponse(status: number, body: unknown, text = ''): ChariotsError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error
  const code = typeof error?.code === 'string' ? error.code : fallbackCode(status)
  const message =
    typeof error?.message === 'string'
      ? error.message
      : `the server answered HTTP ${status}: ${text.slice(0, 200)}`
  if (status === 419) {
    const err = new VersionError(message, { details: { status } })
    if (code !== err.code) Object.defineProperty(err, 'code', { value: code, enumerable: true })
    return err
  }
  return new ChariotsError(code, message, { details: { status } })
}

function fallbackCode(status: number): string {
  if (status === 404) return ErrorCode.NOT_FOUND
  if (status === 401) return ErrorCode.UNAUTHORIZED
  if (status === 413) return ErrorCode.BODY_TOO_LARGE
  if (status === 419) return ErrorCode.VERSION_INCOMPATIBLE
  return ErrorCode.INTERNAL
}
