import type { ChariotsError } from '@chariots/core'
import type { ErrorBody } from '../wire/error-body-wire.js'
import type { WireErrorCode } from './server-error-code.js'
import { statusForCode } from './status-for-code.js'

/**
 * The JSON error answer for `error`, outside a Hono context (a request refused before routing):
 * status from {@link statusForCode}, body `{"error": {"code", "message"}}`.
 *
 * @example
 * ```ts
 * errorResponse(new ChariotsError<KnownErrorCode>(ServerErrorCode.HOST_NOT_ALLOWED, "host 'evil.example' is not allowed")).status // 421
 * ```
 */
export function errorResponse(
  error: ChariotsError<WireErrorCode>,
  headers: Record<string, string> = {},
): Response {
  const body: ErrorBody = { error: { code: error.code, message: error.message } }
  return new Response(JSON.stringify(body), {
    status: statusForCode(error.code),
    headers: { 'content-type': 'application/json', ...headers },
  })
}
