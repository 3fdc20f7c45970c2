// Jobs

export { toJobError } from './job/job-error.js'
export { isValidJobId, newJobId } from './job/job-id.js'
export { isFinished, JobStatus } from './job/job-status.js'
export type { JobContext, JobData, JobError, JobResponse, JobResult } from './job/job-types.js'
export { normalizeProgress } from './job/progress.js'
export type { StartWorkersOptions, WorkerHandle } from './pool/base-worker-pool.js'
// Pools
export { BaseWorkerPool } from './pool/base-worker-pool.js'
export type { InProcessWorkerPoolOptions } from './pool/in-process-worker-pool.js'
export { InProcessWorkerPool } from './pool/in-process-worker-pool.js'
// The job body
export { runPipelineJob } from './run/run-pipeline-job.js'
