import {
  ChariotsError,
  type ChariotsErrorOptions,
  ErrorCode,
  PipelineNotLoadedError,
  VersionError,
} from '@chariots/core'
import { z } from 'zod'
import { type KnownErrorCode, ServerErrorCode, type WireErrorCode } from '../errors/server-error-code.js'
import { ErrorBodyWire } from '../wire/error-body-wire.js'

type ErrorClass = new (message: string, options: ChariotsErrorOptions) => ChariotsError<WireErrorCode>

/** The codes callers branch on by class; every other code comes back as a plain ChariotsError. */
const ERROR_CLASS_FOR_CODE: Readonly<Partial<Record<WireErrorCode, ErrorClass>>> = Object.freeze({
  [ErrorCode.VERSION_INCOMPATIBLE]: VersionError,
  [ErrorCode.PIPELINE_NOT_LOADED]: PipelineNotLoadedError,
})

/** The code of a body that has none (a proxy's page, the Python server), by status. */
const CODE_FOR_STATUS: Readonly<Record<number, KnownErrorCode>> = Object.freeze({
  401: ServerErrorCode.UNAUTHORIZED,
  404: ErrorCode.NOT_FOUND,
  413: ErrorCode.BODY_TOO_LARGE,
  419: ErrorCode.VERSION_INCOMPATIBLE,
})

// The error body's schema, read field by field: a field of another shape is left out, not fatal.
const fields = ErrorBodyWire.shape.error.shape
const LenientErrorBody = z
  .object({
    error: z
      .object({
        code: fields.code.optional().catch(undefined),
        message: fields.message.optional().catch(undefined),
        details: fields.details.catch(undefined),
      })
      .catch({}),
  })
  .catch({ error: {} })

/**
 * Rebuilds the error a server answered from its body `{"error": {"code", "message", "details"?}}`
 * ({@link ErrorBodyWire}), as tRPC's `TRPCClientError.from` does: the class follows the body's
 * code (`VersionError` for `VERSION_INCOMPATIBLE`, `PipelineNotLoadedError` for
 * `PIPELINE_NOT_LOADED`, else `ChariotsError` with that code, a user's own included). `details`
 * holds the body's details plus `status`, the HTTP status. A body with no code (a proxy's page, the
 * Python server) gets one from the status; 419 is a `VersionError`, what the Python client calls a
 * version error.
 *
 * @example
 * ```ts
 * errorFromResponse(404, { error: { code: 'PIPELINE_NOT_FOUND', message: '…' } }).code // 'PIPELINE_NOT_FOUND'
 * errorFromResponse(419, { error: { code: 'PIPELINE_NOT_LOADED', message: '…' } }) // a PipelineNotLoadedError
 * ```
 */
export function errorFromResponse(status: number, body: unknown, text = ''): ChariotsError<WireErrorCode> {
  const { error } = LenientErrorBody.parse(body)
  const code: WireErrorCode = error.code ?? CODE_FOR_STATUS[status] ?? ErrorCode.INTERNAL
  const message = error.message ?? `the server answered HTTP ${status}: ${text.slice(0, 200)}`
  const details = { ...error.details, status }
  const ErrorClass = Object.hasOwn(ERROR_CLASS_FOR_CODE, code) ? ERROR_CLASS_FOR_CODE[code] : undefined
  return ErrorClass
    ? new ErrorClass(message, { details })
    : new ChariotsError<WireErrorCode>(code, message, { details })
}
