import { ChariotsError, ErrorCode, VersionError } from '@chariots/core'
import { describe, expect, it } from 'vitest'
import { fromFailedReason, toBullFailure } from './job-failure.js'

describe('job failures through BullMQ', () => {
  it("an op's error and a ChariotsError keep code and message through failedReason", () => {
    for (const [err, expected] of [
      [new Error('boom'), { code: 'OP_FAILED', message: 'boom' }],
      [
        new ChariotsError(ErrorCode.STORE_ERROR, 'disk full: could not save'),
        { code: 'STORE_ERROR', message: 'disk full: could not save' },
      ],
      [new Error('multi\nline: message'), { code: 'OP_FAILED', message: 'multi\nline: message' }],
    ] as const) {
      expect(fromFailedReason(toBullFailure(err).message, 1)).toEqual(expected)
    }
  })

  it('marks deterministic failures unrecoverable so attempts > 1 does not retry them', () => {
    expect(toBullFailure(new VersionError('old scaler')).name).toBe('UnrecoverableError')
    expect(toBullFailure(new ChariotsError(ErrorCode.INVALID_INPUT, 'x')).name).toBe('UnrecoverableError')
    expect(toBullFailure(new Error('flaky network')).name).toBe('Error')
  })

  it("names BullMQ's own reasons: a stalled job and a sandbox process that died", () => {
    expect(fromFailedReason('job stalled more than allowable limit', 1)).toMatchObject({
      code: 'JOB_STALLED',
    })
    expect(fromFailedReason('job stalled more than allowable limit', 3).message).toMatch(
      /maxStalledCount \(3\)/,
    )
    expect(fromFailedReason('Unexpected exit code: null signal: SIGKILL', 1)).toEqual({
      code: 'WORKER_DIED',
      message: 'the process running the job exited unexpectedly (exit code null, signal SIGKILL)',
    })
    expect(fromFailedReason('something else', 1)).toEqual({ code: 'OP_FAILED', message: 'something else' })
    expect(fromFailedReason(undefined, 1)).toMatchObject({ code: 'OP_FAILED' })
  })
})
