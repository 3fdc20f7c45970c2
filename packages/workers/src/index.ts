// Jobs

export { toJobError } from './job/job-error.js'
export { isValidJobId, newJobId } from './job/job-id.js'
export { isFinished, JobStatus } from './job/job-status.js'
export {
  checkedMs,
  DEFAULT_JOB_TIMEOUT_MS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  jobTimeoutError,
  jobTimeoutFor,
  shutdownGraceMs,
  workerShutdownError,
} from './job/job-timeout.js'
export type { JobContext, JobData, JobError, JobResponse, JobResult } from './job/job-types.js'
export { normalizeProgress } from './job/progress.js'
export type { QueueLimitOptions, QueueLimits, QueueLoad } from './job/queue-limits.js'
export { checkQueueLimits, jsonByteLength, resolveQueueLimits } from './job/queue-limits.js'

// Pools

export type { JobLogger, StartWorkersOptions, WorkerHandle } from './pool/base-worker-pool.js'
export { BaseWorkerPool } from './pool/base-worker-pool.js'
export type { InProcessWorkerPoolOptions } from './pool/in-process-worker-pool.js'
export { IN_PROCESS_QUEUE_LIMITS, InProcessWorkerPool } from './pool/in-process-worker-pool.js'
export type { PoolOwner, WorkerContextOptions } from './pool/worker-context.js'
export { WorkerContext } from './pool/worker-context.js'

// The job body

export { runPipelineJob } from './run/run-pipeline-job.js'
