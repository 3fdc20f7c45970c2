import { ChariotsError, ErrorCode } from '@chariots/core'
import { RQWorkerPool } from '@chariots/workers-rq-like'
import { type PoolOwner, poolOf, spawn, WorkerContext, type WorkerContextOptions } from './worker-context.js'

/**
 * {@link WorkerContext} for an app whose pool is an `RQWorkerPool`: BullMQ workers in this process
 * (no sandbox: the test's app is here), stopped on `close()` or at the end of `await using`.
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
    const pool = poolOf(app)
    if (!(pool instanceof RQWorkerPool)) {
      throw new ChariotsError(
        ErrorCode.INVALID_INPUT,
        `RQWorkerContext needs an app whose workerPool is an RQWorkerPool, got ${pool.constructor.name}; use WorkerContext`,
      )
    }
    return new RQWorkerContext(pool, await spawn(pool, options.workers ?? 1))
  }
}
