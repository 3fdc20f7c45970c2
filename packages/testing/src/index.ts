// Job statuses, re-exported from @chariots/workers (`r.jobStatus === JobStatus.done`)
export { JobStatus } from '@chariots/workers'
// Example ops and pipelines (server engineer)
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
// Iris ops and pipelines (ml engineer)
export {
  IrisFullDatasetOp,
  IrisXDatasetOp,
  irisPredictionPipeline,
  irisTrainingPipeline,
  LogisticOp,
  PCAOp,
  RandomForestOp,
} from './iris-ops.js'
// Workers and Redis for tests (workers engineer)
export { pingRedis } from './ping-redis.js'
export { RQWorkerContext } from './rq-worker-context.js'
// PostgreSQL and an S3 API server for the store tests (store engineer)
export type { RunningPostgres, StartPostgresOptions } from './start-postgres.js'
export { startPostgres } from './start-postgres.js'
export type { RunningRedis, StartRedisOptions } from './start-redis.js'
export { startRedis } from './start-redis.js'
export type { RunningS3, StartS3Options } from './start-s3.js'
export { startS3 } from './start-s3.js'
export type { StoreKind, StoreKit, StoreServers } from './store-kit.js'
export { createStoreKit, STORE_KINDS } from './store-kit.js'
// Test client (server engineer)
export type { RequestableApp, TestClientOptions } from './test-client.js'
export { TestClient } from './test-client.js'
export type { PoolOwner, WorkerContextOptions } from './worker-context.js'
export { WorkerContext } from './worker-context.js'
