// Job statuses and workers for a test, re-exported from @chariots/workers (`r.jobStatus === JobStatus.done`)

export type { PoolOwner, WorkerContextOptions } from '@chariots/workers'
export { JobStatus, WorkerContext } from '@chariots/workers'

// Example ops and pipelines

export {
  AddOneOp,
  addOneIsOddPipeline,
  CounterOp,
  counterPipeline,
  FailingOp,
  failingPipeline,
  IsOddOp,
  isOddPipeline,
  ProgressOp,
  progressPipeline,
  RangeOp,
  rangePipeline,
  SlowOp,
  slowPipeline,
} from './example-ops.js'

// Servers for tests: Redis, PostgreSQL and an S3 API server, and stores on them

export { pingRedis } from './ping-redis.js'
export type { RunningPostgres, StartPostgresOptions } from './start-postgres.js'
export { startPostgres } from './start-postgres.js'
export type { RunningRedis, StartRedisOptions } from './start-redis.js'
export { startRedis } from './start-redis.js'
export type { RunningS3, StartS3Options } from './start-s3.js'
export { startS3 } from './start-s3.js'
export type { StoreKind, StoreKit, StoreServers } from './store-kit.js'
export { createStoreKit, STORE_KINDS } from './store-kit.js'

// Test client

export type { RequestableApp, TestClientOptions } from './test-client.js'
export { TestClient } from './test-client.js'
