import { ChariotsError, ErrorCode, VersionError } from '@chariots/core'
import { describe, expect, it } from 'vitest'
import { toJobError } from './job-error.js'
import { isValidJobId, newJobId } from './job-id.js'
import { isFinished, JobStatus } from './job-status.js'
import { normalizeProgress } from './progress.js'

describe('job ids', () => {
  it('are UUIDs, and isValidJobId accepts exactly that shape', () => {
    const ids = new Set(Array.from({ length: 100 }, newJobId))
    expect(ids.size).toBe(100)
    for (const id of ids) expect(isValidJobId(id)).toBe(true)
    for (const bad of [
      '',
      'abc',
      '../../etc/passwd',
      `${newJobId()}x`,
      newJobId().toUpperCase(),
      42,
      null,
      undefined,
    ]) {
      expect(isValidJobId(bad)).toBe(false)
    }
  })
})

describe('toJobError', () => {
  it("keeps a ChariotsError's code and message; anything else is OP_FAILED", () => {
    expect(toJobError(new ChariotsError(ErrorCode.INVALID_INPUT, 'bad x'))).toEqual({
      code: 'INVALID_INPUT',
      message: 'bad x',
    })
    expect(toJobError(new VersionError('old pca'))).toEqual({
      code: 'VERSION_INCOMPATIBLE',
      message: 'old pca',
    })
    expect(toJobError(new Error('boom'))).toEqual({ code: 'OP_FAILED', message: 'boom' })
    expect(toJobError(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toEqual({
      code: 'OP_FAILED',
      message: 'no such file',
    })
    expect(toJobError('a string')).toEqual({ code: 'OP_FAILED', message: 'a string' })
  })
})

describe('JobStatus', () => {
  it('has the wire values, and only done and failed are finished', () => {
    expect(Object.values(JobStatus)).toEqual(['queued', 'running', 'done', 'failed', 'deferred'])
    expect(Object.values(JobStatus).filter(isFinished)).toEqual(['done', 'failed'])
  })
})

describe('normalizeProgress', () => {
  it('keeps fractions and objects; reads 0, non-numbers and arrays as null', () => {
    expect(normalizeProgress(0.25)).toBe(0.25)
    expect(normalizeProgress({ epoch: 3 })).toEqual({ epoch: 3 })
    for (const none of [0, undefined, null, 'half', [1, 2], Number.NaN])
      expect(normalizeProgress(none)).toBeNull()
  })
})
