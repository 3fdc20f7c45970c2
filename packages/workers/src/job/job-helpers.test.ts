import { ChariotsError, ErrorCode, VersionError } from '@chariots/core'
import { describe, expect, it } from 'vitest'
import { toJobError } from './job-error.js'
import { isValidJobId, newJobId } from './job-id.js'
import { isFinished, JobStatus } from './job-status.js'
import { jobTimeoutFor, shutdownGraceMs } from './job-timeout.js'
import { normalizeProgress } from './progress.js'
import { checkQueueLimits, jsonByteLength, resolveQueueLimits } from './queue-limits.js'

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

describe('queue limits', () => {
  const limits = resolveQueueLimits(
    { maxQueuedJobs: 2 },
    { maxQueuedJobs: 9, maxQueuedBytes: 100, retryAfterSeconds: 3 },
  )
  const load = { pool: 'TestPool', pipeline: 'train', queuedJobs: 0, queuedBytes: 0, inputBytes: 0 }

  it('fills in the defaults and measures inputs as UTF-8 JSON', () => {
    expect(limits).toEqual({ maxQueuedJobs: 2, maxQueuedBytes: 100, retryAfterSeconds: 3 })
    expect(jsonByteLength(undefined)).toBe(0)
    expect(jsonByteLength({ x: 'é' })).toBe(10)
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    expect(() => jsonByteLength(cycle)).toThrow(/cannot be written as JSON/)
  })

  it('accepts up to the limits, then refuses with QUEUE_FULL naming the limit, or BODY_TOO_LARGE', () => {
    expect(() =>
      checkQueueLimits({ ...load, queuedJobs: 1, queuedBytes: 60, inputBytes: 40 }, limits),
    ).not.toThrow()
    const full = (over: Partial<typeof load>) => {
      try {
        checkQueueLimits({ ...load, ...over }, limits)
      } catch (err) {
        return err as ChariotsError
      }
      throw new Error('expected a refusal')
    }
    expect(full({ queuedJobs: 2 })).toMatchObject({ code: 'QUEUE_FULL', details: { retryAfterSeconds: 3 } })
    expect(full({ queuedJobs: 2 }).message).toMatch(
      /TestPool is full: it holds 2 jobs waiting or running \(maxQueuedJobs 2\)/,
    )
    expect(full({ queuedBytes: 61, inputBytes: 40 }).message).toMatch(/61 bytes of queued input.*40 more/)
    expect(full({ inputBytes: 101 })).toMatchObject({ code: 'BODY_TOO_LARGE', details: { inputBytes: 101 } })
  })
})

describe('job timeouts and the shutdown grace', () => {
  it("takes the pipeline's timeout, else the pool's; reads CHARIOTS_SHUTDOWN_TIMEOUT_MS", () => {
    expect(jobTimeoutFor({ jobTimeoutMs: 5 }, 9)).toBe(5)
    expect(jobTimeoutFor({ jobTimeoutMs: 0 }, 9)).toBe(0)
    expect(jobTimeoutFor({}, 9)).toBe(9)
    expect(() => jobTimeoutFor({ jobTimeoutMs: -1 }, 9)).toThrow(/jobTimeoutMs must be a whole number/)
    expect(shutdownGraceMs({})).toBe(30_000)
    expect(shutdownGraceMs({ CHARIOTS_SHUTDOWN_TIMEOUT_MS: '1500' })).toBe(1_500)
    expect(() => shutdownGraceMs({ CHARIOTS_SHUTDOWN_TIMEOUT_MS: '1e3' })).toThrow(
      /CHARIOTS_SHUTDOWN_TIMEOUT_MS/,
    )
  })
})
