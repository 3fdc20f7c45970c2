import { ErrorCode } from '@chariots/core'
import { type KnownErrorCode, ServerErrorCode } from './server-error-code.js'

/**
 * The one table from error code to HTTP status, as tRPC's `getHTTPStatusCode` keeps it: every
 * {@link KnownErrorCode} has a row, so a code added to `ErrorCode` or `ServerErrorCode` without a
 * status does not compile. Codes that are never an HTTP answer (a failed job's error, the CLI's)
 * are 500, like an op that throws; so is a code of a user's own, which has no row.
 */
export const STATUS_FOR_CODE: Readonly<Record<KnownErrorCode, number>> = Object.freeze({
  [ErrorCode.PIPELINE_NOT_FOUND]: 404,
  [ErrorCode.JOB_NOT_FOUND]: 404,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.INVALID_INPUT]: 400,
  [ErrorCode.INVALID_PATH]: 400,
  [ErrorCode.NO_WORKER_POOL]: 400,
  [ErrorCode.BODY_TOO_LARGE]: 413,
  [ErrorCode.VERSION_INCOMPATIBLE]: 419,
  [ErrorCode.PIPELINE_NOT_LOADED]: 419,
  [ErrorCode.NOTHING_TO_SAVE]: 409,
  [ErrorCode.PLAN_INCOMPLETE]: 409,
  [ErrorCode.NO_WORKER_ALIVE]: 503,
  [ErrorCode.QUEUE_FULL]: 503,
  [ErrorCode.WORKER_SHUTDOWN]: 503,
  [ErrorCode.TIMEOUT]: 503,
  [ErrorCode.BACKEND_UNAVAILABLE]: 503,
  // An op, a model or the store failed: the server's fault as far as the caller can tell.
  [ErrorCode.OP_FAILED]: 500,
  [ErrorCode.INVALID_GRAPH]: 500,
  [ErrorCode.INVALID_OUTPUT]: 500,
  [ErrorCode.INVALID_VERSION]: 500,
  [ErrorCode.OUTPUT_MISMATCH]: 500,
  [ErrorCode.INVALID_OP]: 500,
  [ErrorCode.MODEL_NOT_FITTED]: 500,
  [ErrorCode.STORE_ERROR]: 500,
  [ErrorCode.SERIALIZATION_ERROR]: 500,
  [ErrorCode.INTERNAL]: 500,
  // A failed job's error, the app loader's: never the answer of a route.
  [ErrorCode.JOB_STALLED]: 500,
  [ErrorCode.WORKER_DIED]: 500,
  [ErrorCode.INVALID_APP_MODULE]: 500,
  // The HTTP edge
  [ServerErrorCode.INVALID_JSON]: 400,
  [ServerErrorCode.INVALID_BODY]: 400,
  [ServerErrorCode.UNAUTHORIZED]: 401,
  [ServerErrorCode.METHOD_NOT_ALLOWED]: 405,
  [ServerErrorCode.REQUEST_TIMEOUT]: 408,
  [ServerErrorCode.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ServerErrorCode.HOST_NOT_ALLOWED]: 421,
  [ServerErrorCode.HEADERS_TOO_LARGE]: 431,
  [ServerErrorCode.MALFORMED_REQUEST]: 400,
  // The client's and the CLI's: never the answer of a route.
  [ServerErrorCode.INVALID_RESPONSE]: 500,
  [ServerErrorCode.LISTEN_FAILED]: 500,
  [ServerErrorCode.WORKERS_IN_SERVER]: 500,
  [ServerErrorCode.UNREACHABLE]: 500,
  [ServerErrorCode.NOT_BUILT]: 500,
  [ServerErrorCode.PACK_FAILED]: 500,
  [ServerErrorCode.PROCESS_START_FAILED]: 500,
})

/** Whether `code` is one this version of Chariots mints (a row of {@link STATUS_FOR_CODE}). */
export function isKnownErrorCode(code: string): code is KnownErrorCode {
  return Object.hasOwn(STATUS_FOR_CODE, code)
}

/**
 * The HTTP status the server answers for an error code; 500 for a code it does not know (a user's
 * own).
 *
 * @example
 * ```ts
 * statusForCode('PIPELINE_NOT_FOUND') // 404
 * statusForCode('OP_FAILED') // 500
 * ```
 */
export function statusForCode(code: string): number {
  return isKnownErrorCode(code) ? STATUS_FOR_CODE[code] : 500
}
