import { describe, expect, it } from 'vitest'
import { toJobStatus } from './job-state.js'

describe('toJobStatus', () => {
  it('maps every BullMQ state, and unknown to null (JOB_NOT_FOUND)', () => {
    expect(
      Object.fromEntries(
        [
          'waiting',
          'wait',
          'prioritized',
          'active',
          'completed',
          'failed',
          'delayed',
          'waiting-children',
          'unknown',
        ].map((s) => [s, toJobStatus(s)]),
      ),
    ).toEqual({
      waiting: 'queued',
      wait: 'queued',
      prioritized: 'queued',
      active: 'running',
      completed: 'done',
      failed: 'failed',
      delayed: 'deferred',
      'waiting-children': 'deferred',
      unknown: null,
    })
  })

  it('reads a state a later BullMQ may add as deferred instead of failing the fetch', () => {
    expect(toJobStatus('paused-by-the-future')).toBe('deferred')
  })
})
