import type { Progress } from '@chariots/core'
import type { JobOutcome } from '../job/job-body.js'
import type { RunRequest } from './runner-messages.js'

/**
 * Where one job body runs at a time: a worker thread, a child process, or this process. A
 * {@link JobRunnerPool} hands each job to an idle runner and replaces the ones that die or are
 * stopped.
 */
export interface JobRunner {
  /** Resolves once it can run a job; rejects when the app module does not load there. */
  readonly ready: Promise<void>
  /** Whether `stop()` really ends the body (a thread or process), or only abandons it (this process). */
  readonly stoppable: boolean
  /** True once it died or was stopped: it runs no more jobs. */
  readonly dead: boolean
  /** Runs one job; resolves with its outcome (a runner that dies meanwhile: `WORKER_DIED`), never rejects. */
  run(request: RunRequest, onProgress: (progress: Progress) => void): Promise<JobOutcome>
  /** Ends the runner, and with it the job it runs (a thread is terminated, a process killed). */
  stop(): Promise<void>
}
