// The pool

export { fromFailedReason, toBullFailure } from './job/job-failure.js'
// Job state in BullMQ
export { toJobStatus } from './job/job-state.js'
export type { JobRetention, RQWorkerPoolOptions } from './pool/rq-worker-pool.js'
export { RQWorkerPool } from './pool/rq-worker-pool.js'
export type { RedisConnectionInput } from './redis/redis-options.js'

// The worker process side
export { APP_MODULE_ENV } from './sandbox/app-module-env.js'
export { loadWorkerHost } from './sandbox/load-worker-host.js'
