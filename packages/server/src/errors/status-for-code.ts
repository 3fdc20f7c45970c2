import { ErrorCode, type ErrorCodeName } from '@chariots/core'

/**
 * The one table from error code to HTTP status. Any code not listed (an op that throws included)
 * is a 500.
 */
export const STATUS_FOR_CODE: Readonly<Record<string, number>> = Object.freeze({
  [ErrorCode.PIPELINE_NOT_FOUND]: 404,
  [ErrorCode.JOB_NOT_FOUND]: 404,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.INVALID_JSON]: 400,
  [ErrorCode.INVALID_BODY]: 400,
  [ErrorCode.INVALID_INPUT]: 400,
  [ErrorCode.INVALID_PATH]: 400,
  [ErrorCode.NO_WORKER_POOL]: 400,
  [ErrorCode.UNAUTHORIZED]: 401,
  [ErrorCode.BODY_TOO_LARGE]: 413,
  [ErrorCode.VERSION_INCOMPATIBLE]: 419,
  [ErrorCode.PIPELINE_NOT_LOADED]: 419,
  [ErrorCode.NOTHING_TO_SAVE]: 409,
  [ErrorCode.PLAN_INCOMPLETE]: 409,
  [ErrorCode.NO_WORKER_ALIVE]: 503,
  [ErrorCode.TIMEOUT]: 503,
  [ErrorCode.BACKEND_UNAVAILABLE]: 503,
  // The HTTP edge
  [ErrorCode.METHOD_NOT_ALLOWED]: 405,
  [ErrorCode.REQUEST_TIMEOUT]: 408,
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ErrorCode.HOST_NOT_ALLOWED]: 421,
  [ErrorCode.HEADERS_TOO_LARGE]: 431,
  [ErrorCode.MALFORMED_REQUEST]: 400,
})

/**
 * The HTTP status the server answers for an error code.
 *
 * @example
 * ```ts
 * statusForCode('PIPELINE_NOT_FOUND') // 404
 * statusForCode('OP_FAILED') // 500
 * ```
 */
export function statusForCode(code: ErrorCodeName): number {
  return Object.hasOwn(STATUS_FOR_CODE, code) ? STATUS_FOR_CODE[code]! : 500
}
