import type { Progress } from '@chariots/core'
import type { JobData, JobError } from '@chariots/workers'
import type { JobOutcome } from '../job/job-body.js'

/** What the worker process sends a job thread or child process: the one job it runs now. */
export interface RunRequest {
  jobId: string
  data: JobData
}

/** What a job thread or child process sends back. */
export type RunnerMessage =
  | { type: 'ready' }
  | { type: 'init-failed'; error: JobError }
  | { type: 'progress'; progress: Progress }
  | { type: 'outcome'; outcome: JobOutcome }
