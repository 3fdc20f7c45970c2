// The pool

export { RQWorkerContext } from './pool/rq-worker-context.js'
export type { JobRetention, RQWorkerPoolOptions } from './pool/rq-worker-pool.js'
export { RQ_QUEUE_LIMITS, RQWorkerPool } from './pool/rq-worker-pool.js'
export type { RedisConnectionInput } from './redis/redis-options.js'

// Job state in BullMQ

export { fromFailedReason, toBullFailure } from './job/job-failure.js'
export { toJobStatus } from './job/job-state.js'

// The worker process side

export { APP_MODULE_ENV } from './sandbox/app-module-env.js'
export { loadWorkerHost } from './sandbox/load-worker-host.js'
