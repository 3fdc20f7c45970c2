import { ChariotsError, ErrorCode } from '@chariots/core'

/** Error codes of the socket and of postgres.js that mean "the database cannot be reached". */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
])

/**
 * A ChariotsError for a failed database call: `BACKEND_UNAVAILABLE` (HTTP 503) when PostgreSQL
 * cannot be reached or is shutting down (SQLSTATE classes 08 and 57P), `STORE_ERROR` otherwise.
 * ChariotsErrors pass through unchanged.
 *
 * @example
 * ```ts
 * throw postgresError(err, 'could not save the states in postgres://db/models')
 * ```
 */
export function postgresError(err: unknown, what: string): ChariotsError {
  if (err instanceof ChariotsError) return err
  const code = String((err as { code?: unknown })?.code ?? '')
  const message = err instanceof Error ? err.message : String(err)
  if (UNREACHABLE.has(code) || code.startsWith('08') || code.startsWith('57P')) {
    return new ChariotsError(
      ErrorCode.BACKEND_UNAVAILABLE,
      `${what}: PostgreSQL cannot be reached (${code || message}); start it or fix the URL (CHARIOTS_STORE), then try again`,
      { cause: err, details: { backend: 'postgres', errno: code } },
    )
  }
  return new ChariotsError(ErrorCode.STORE_ERROR, `${what}: ${message}${code ? ` (${code})` : ''}`, {
    cause: err,
    details: { backend: 'postgres', ...(code ? { errno: code } : {}) },
  })
}
