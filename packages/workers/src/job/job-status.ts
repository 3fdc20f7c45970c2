/** The states of a worker job, with the lower-case values the wire uses. */
export const JobStatus = {
  queued: 'queued',
  running: 'running',
  done: 'done',
  failed: 'failed',
  /** Scheduled for later or waiting on something. */
  deferred: 'deferred',
} as const

/** `'queued' | 'running' | 'done' | 'failed' | 'deferred'`. */
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus]

/** Whether a job in this status will not change any more. */
export function isFinished(status: JobStatus): boolean {
  return status === JobStatus.done || status === JobStatus.failed
}
