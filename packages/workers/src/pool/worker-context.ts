import { ChariotsError, ErrorCode } from '@chariots/core'
import type { BaseWorkerPool, WorkerHandle } from './base-worker-pool.js'

/** Anything that owns a worker pool (a `Chariots` app). */
export interface PoolOwner {
  readonly workerPool?: BaseWorkerPool | undefined
}

/** Options of {@link WorkerContext.start}. */
export interface WorkerContextOptions {
  /** How many workers to start (default 1). */
  workers?: number
}

/**
 * Workers for an app's pool, started in this process (a test's, usually) and stopped on `close()`
 * or at the end of an `await using` block. Works with any pool (`spawnWorker` × n); a pool's own
 * package may narrow it (`RQWorkerContext` of `@chariots/workers-rq-like`).
 *
 * @example
 * ```ts
 * await using _workers = await WorkerContext.start(app, { workers: 2 })
 * const { jobId } = await client.callPipeline('is_odd', 4, { useWorker: true })
 * ```
 */
export class WorkerContext implements AsyncDisposable {
  readonly pool: BaseWorkerPool
  readonly #handles: WorkerHandle[]
  #closed: Promise<void> | undefined

  protected constructor(pool: BaseWorkerPool, handles: WorkerHandle[]) {
    this.pool = pool
    this.#handles = handles
  }

  /** Starts `workers` workers for the app's pool; resolves once they take jobs. */
  static async start(app: PoolOwner, options: WorkerContextOptions = {}): Promise<WorkerContext> {
    const pool = WorkerContext.poolOf(app)
    return new WorkerContext(pool, await WorkerContext.spawn(pool, options.workers ?? 1))
  }

  /** The app's pool, or a `NO_WORKER_POOL` error when it has none. */
  protected static poolOf(app: PoolOwner): BaseWorkerPool {
    if (app.workerPool) return app.workerPool
    throw new ChariotsError(
      ErrorCode.NO_WORKER_POOL,
      'the app has no workerPool; pass one to new Chariots(pipelines, { workerPool })',
    )
  }

  /** Spawns `n` workers; stops those already started when one fails. */
  protected static async spawn(pool: BaseWorkerPool, n: number): Promise<WorkerHandle[]> {
    const handles: WorkerHandle[] = []
    try {
      for (let i = 0; i < n; i++) handles.push(await pool.spawnWorker())
    } catch (err) {
      await Promise.all(handles.map((h) => h.close()))
      throw err
    }
    return handles
  }

  /** How many workers this context started. */
  get workers(): number {
    return this.#handles.length
  }

  /** Stops the workers this context started (running jobs finish first). */
  close(): Promise<void> {
    this.#closed ??= Promise.all(this.#handles.map((h) => h.close())).then(() => undefined)
    return this.#closed
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}
