import { ChariotsError, ErrorCode } from '@chariots/core'
import { type PoolOwner, WorkerContext, type WorkerContextOptions } from '@chariots/workers'
import { RQWorkerPool } from './rq-worker-pool.js'

/**
 * {@link WorkerContext} for an app whose pool is an `RQWorkerPool`: BullMQ workers in this process
 * (no sandbox: the test's app is here), stopped on `close()` or at the end of `await using`. It
 * lives here, not in `@chariots/testing`, so that a test helper user installs BullMQ only with
 * this package.
 *
 * @example
 * ```ts
 * const app = new Chariots([isOddPipeline()], { path, workerPool: new RQWorkerPool({ connection: redis.url }) })
 * await using _workers = await RQWorkerContext.start(app)
 * ```
 */
export class RQWorkerContext extends WorkerContext {
  /** Starts `workers` BullMQ workers (default 1); resolves once Redis lists them. */
  static override async start(app: PoolOwner, options: WorkerContextOptions = {}): Promise<RQWorkerContext> {
    const pool = RQWorkerContext.poolOf(app)
    if (!(pool instanceof RQWorkerPool)) {
      throw new ChariotsError(
        ErrorCode.INVALID_INPUT,
        `RQWorkerContext needs an app whose workerPool is an RQWorkerPool, got ${pool.constructor.name}; use WorkerContext`,
      )
    }
    return new RQWorkerContext(pool, await RQWorkerContext.spawn(pool, options.workers ?? 1))
  }
}
