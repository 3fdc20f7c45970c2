import type { Pipeline } from '@chariots/core'
import type { JobResponse, WorkerApp } from '../job/job-types.js'

/** Options of {@link BaseWorkerPool.startWorkers}. */
export interface StartWorkersOptions {
  /** How many jobs run at once (default 1). */
  concurrency?: number
  /**
   * Absolute path of the module that exports the app; pools that run job bodies in a child process
   * or worker thread import it there.
   */
  appModule?: string
}

/** A handle on workers started by {@link BaseWorkerPool.startWorkers}. */
export interface WorkerHandle {
  /** Stops taking jobs, lets running ones finish, then resolves. */
  close(): Promise<void>
}

/**
 * The worker API: where jobs go, who runs them, and where their state lives. Extend it to run
 * pipelines on your own queue; every pool runs jobs with `runPipelineJob`.
 *
 * @example
 * ```ts
 * const app = new Chariots(pipelines, { path, workerPool: new InProcessWorkerPool() })
 * ```
 */
export abstract class BaseWorkerPool {
  protected app: WorkerApp | undefined

  /** Called by the app that owns the pool, so workers can look pipelines up by name. */
  attach(app: WorkerApp): void {
    this.app = app
  }

  /** The number of live workers (0 means a job would never start). */
  abstract nWorkers(): Promise<number>

  /** Starts one more worker for the attached app. */
  abstract spawnWorker(): Promise<void>

  /** Starts workers (for `chariots worker`); resolves once they take jobs. */
  abstract startWorkers(options?: StartWorkersOptions): Promise<WorkerHandle>

  /**
   * Queues a run of `pipeline` on `input` and resolves to the job id at once. Throws a
   * `NO_WORKER_ALIVE` ChariotsError when no worker would run it.
   */
  abstract executePipelineAsync(pipeline: Pipeline, input: unknown, app: WorkerApp): Promise<string>

  /** Everything known of the job; throws a `JOB_NOT_FOUND` ChariotsError for an unknown id. */
  abstract getPipelineResponseForId(jobId: string): Promise<JobResponse>

  /**
   * Resolves as soon as the job is done or failed, or with its current state after `timeoutMs`.
   * Throws `JOB_NOT_FOUND` for an unknown id.
   */
  abstract waitForJob(jobId: string, timeoutMs: number): Promise<JobResponse>

  /** Releases connections and stops workers this pool started. */
  abstract close(): Promise<void>
}
