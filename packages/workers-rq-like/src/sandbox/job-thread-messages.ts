import type { Progress } from '@chariots/core'
import type { JobData, JobError, JobResult } from '@chariots/workers'

/** What the worker process sends a job thread: one job to run. */
export interface ThreadRequest {
  id: number
  jobId: string
  data: JobData
}

/** What a job thread sends back. */
export type ThreadResponse =
  | { type: 'ready' }
  | { type: 'init-failed'; error: JobError }
  | { type: 'progress'; id: number; progress: Progress }
  | { type: 'done'; id: number; result: JobResult }
  | { type: 'failed'; id: number; error: JobError }
