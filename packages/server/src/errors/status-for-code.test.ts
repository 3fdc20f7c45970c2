import { ErrorCode } from '@chariots/core'
import { describe, expect, it } from 'vitest'
import { ServerErrorCode } from './server-error-code.js'
import { STATUS_FOR_CODE, statusForCode } from './status-for-code.js'

describe('statusForCode', () => {
  it.each([
    [ErrorCode.PIPELINE_NOT_FOUND, 404],
    [ErrorCode.JOB_NOT_FOUND, 404],
    [ErrorCode.NOT_FOUND, 404],
    [ServerErrorCode.INVALID_JSON, 400],
    [ServerErrorCode.INVALID_BODY, 400],
    [ErrorCode.INVALID_INPUT, 400],
    [ErrorCode.INVALID_PATH, 400],
    [ErrorCode.NO_WORKER_POOL, 400],
    [ServerErrorCode.UNAUTHORIZED, 401],
    [ErrorCode.BODY_TOO_LARGE, 413],
    [ErrorCode.VERSION_INCOMPATIBLE, 419],
    [ErrorCode.PIPELINE_NOT_LOADED, 419],
    [ErrorCode.NO_WORKER_ALIVE, 503],
    [ErrorCode.QUEUE_FULL, 503],
    [ErrorCode.WORKER_SHUTDOWN, 503],
    [ErrorCode.BACKEND_UNAVAILABLE, 503],
    [ServerErrorCode.METHOD_NOT_ALLOWED, 405],
    [ServerErrorCode.REQUEST_TIMEOUT, 408],
    [ServerErrorCode.UNSUPPORTED_MEDIA_TYPE, 415],
    [ServerErrorCode.HOST_NOT_ALLOWED, 421],
    [ServerErrorCode.HEADERS_TOO_LARGE, 431],
    [ServerErrorCode.MALFORMED_REQUEST, 400],
    [ErrorCode.OP_FAILED, 500],
    [ErrorCode.INTERNAL, 500],
    ['MY_OWN_CODE', 500],
    ['toString', 500],
    ['__proto__', 500],
  ])('%s → %i', (code, status) => {
    expect(statusForCode(code)).toBe(status)
  })

  it('has a row for every code of ErrorCode and ServerErrorCode', () => {
    const codes = [...Object.values(ErrorCode), ...Object.values(ServerErrorCode)]
    expect(Object.keys(STATUS_FOR_CODE).sort()).toEqual([...new Set(codes)].sort())
  })
})
