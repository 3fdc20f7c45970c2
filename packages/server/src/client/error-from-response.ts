import {
  ChariotsError,
  type ChariotsErrorOptions,
  ErrorCode,
  PipelineNotLoadedError,
  VersionError,
} from '@chariots/core'

type ErrorClass = new (message: string, options: ChariotsErrorOptions) => ChariotsError

/** The codes callers branch on by class; every other code comes back as a plain ChariotsError. */
const ERROR_CLASS_FOR_CODE: Readonly<Record<string, ErrorClass>> = Object.freeze({
  [ErrorCode.VERSION_INCOMPATIBLE]: VersionError,
  [ErrorCode.PIPELINE_NOT_LOADED]: PipelineNotLoadedError,
})

/**
 * Rebuilds the error a server answered from its body `{"error": {"code", "message", "details"?}}`,
 * as tRPC's `TRPCClientError.from` does: the class follows the body's code (`VersionError` for
 * `VERSION_INCOMPATIBLE`, `PipelineNotLoadedError` for `PIPELINE_NOT_LOADED`, else `ChariotsError`
 * with that code). `details` holds the body's details plus `status`, the HTTP status. A body with no
 * code (a proxy's page, the Python server) gets one from the status; 419 is a `VersionError`, what
 * the Python client calls a version error.
 *
 * @example
 * ```ts
 * errorFromResponse(404, { error: { code: 'PIPELINE_NOT_FOUND', message: '…' } }).code // 'PIPELINE_NOT_FOUND'
 * errorFromResponse(419, { error: { code: 'PIPELINE_NOT_LOADED', message: '…' } }) // a PipelineNotLoadedError
 * ```
 */
export function errorFromResponse(status: number, body: unknown, text = ''): ChariotsError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error
  const code = typeof error?.code === 'string' ? error.code : fallbackCode(status)
  const message =
    typeof error?.message === 'string'
      ? error.message
      : `the server answered HTTP ${status}: ${text.slice(0, 200)}`
  const bodyDetails = isRecord(error?.details) ? error.details : {}
  const details = { ...bodyDetails, status }
  const ErrorClass = Object.hasOwn(ERROR_CLASS_FOR_CODE, code) ? ERROR_CLASS_FOR_CODE[code] : undefined
  return ErrorClass ? new ErrorClass(message, { details }) : new ChariotsError(code, message, { details })
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function fallbackCode(status: number): string {
  if (status === 404) return ErrorCode.NOT_FOUND
  if (status === 401) return ErrorCode.UNAUTHORIZED
  if (status === 413) return ErrorCode.BODY_TOO_LARGE
  if (status === 419) return ErrorCode.VERSION_INCOMPATIBLE
  return ErrorCode.INTERNAL
}
