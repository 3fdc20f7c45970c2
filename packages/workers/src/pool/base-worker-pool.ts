import { setTimeout as sleep } from 'node:timers/promises'
import { ChariotsError, ErrorCode, type Pipeline, type PipelineHost } from '@chariots/core'
import { isFinished } from '../job/job-status.js'
import { shutdownGraceMs } from '../job/job-timeout.js'
import type { JobResponse } from '../job/job-types.js'

/** Options of {@link BaseWorkerPool.startWorkers}. */
export interface StartWorkersOptions {
  /** How many jobs run at once (default 1). */
  concurrency?: number
  /**
   * Absolute path of the module that exports the app; pools that run job bodies in a child process
   * or worker thread import it there.
   */
  appModule?: string
  /**
   * Logs each job's start, end and failure from the worker process (job threads and child
   * processes have no logger of their own). A pino logger fits.
   */
  logger?: JobLogger
}

/** What a pool logs its jobs through (a pino logger fits). */
export interface JobLogger {
  info(fields: object, message?: string): void
  warn(fields: object, message?: string): void
}

/** A handle on workers started by {@link BaseWorkerPool.startWorkers} or `spawnWorker`. */
export interface WorkerHandle {
  /**
   * Stops taking jobs and lets running ones finish, then resolves. Pools with a shutdown grace
   * period fail the jobs still running after it with `WORKER_SHUTDOWN`.
   */
  close(): Promise<void>
}

/**
 * The worker API: where jobs go, who runs them, and where their state lives. Extend it to run
 * pipelines on your own queue: implement `nWorkers`, `spawnWorker`, `executePipelineAsync`,
 * `getPipelineResponseForId` and `close`, and run each job with `runPipelineJob` (the host's job sequence). `waitForJob` and
 * `startWorkers` have working defaults (polling, and `spawnWorker` × concurrency) that pools
 * override with something better.
 *
 * @example
 * ```ts
 * const app = new Chariots(pipelines, { path, workerPool: new InProcessWorkerPool() })
 * ```
 */
export abstract class BaseWorkerPool {
  protected host: PipelineHost | undefined

  /** Called by the app that owns the pool: workers run jobs on this host's pipelines. */
  attach(host: PipelineHost): void {
    this.host = host
  }

  /**
   * Whether jobs run inside the server process that queued them (no separate worker process):
   * `chariots worker` refuses such a pool. False unless a pool says otherwise.
   */
  get runsInServerProcess(): boolean {
    return false
  }

  /**
   * How long closing a worker (or the pool) waits for running jobs before it fails them, in ms:
   * `CHARIOTS_SHUTDOWN_TIMEOUT_MS`, else 30 s, unless a pool's option says otherwise.
   */
  get shutdownTimeoutMs(): number {
    return shutdownGraceMs()
  }

  /** The number of live workers (0 means a job would never start). */
  abstract nWorkers(): Promise<number>

  /**
   * Starts one more worker for the attached app, in this process; resolves once it takes jobs.
   * Close the handle to stop that worker (tests do, through `WorkerContext`).
   */
  abstract spawnWorker(): Promise<WorkerHandle>

  /**
   * Queues a run of `pipeline` on `input` and resolves to the job id at once. Throws a
   * `NO_WORKER_ALIVE` ChariotsError when no worker would run it.
   */
  abstract executePipelineAsync(pipeline: Pipeline, input: unknown, host?: PipelineHost): Promise<string>

  /**
   * Throws `QUEUE_FULL` (or `BODY_TOO_LARGE`) when a job of `pipeline` with about `inputBytes` of
   * input would be refused now; resolves otherwise (it reserves nothing). The server asks before it
   * reads a large body of a worker call, so a full pool does not parse megabytes only to refuse
   * them. This default never refuses: `executePipelineAsync` has the last word.
   */
  async checkRoom(_pipeline: Pipeline, _inputBytes: number): Promise<void> {}

  /** Everything known of the job; throws a `JOB_NOT_FOUND` ChariotsError for an unknown id. */
  abstract getPipelineResponseForId(jobId: string): Promise<JobResponse>

  /** Releases connections and stops workers this pool started. */
  abstract close(): Promise<void>

  /**
   * Resolves as soon as the job is done or failed, or with its current state after `timeoutMs`.
   * Throws `JOB_NOT_FOUND` for an unknown id. This default polls `getPipelineResponseForId` (every
   * 10 ms, backing off to 250 ms); the pools of Chariots override it with an event.
   */
  async waitForJob(jobId: string, timeoutMs: number): Promise<JobResponse> {
    const deadline = Date.now() + Math.max(0, timeoutMs)
    let delay = 10
    for (;;) {
      const response = await this.getPipelineResponseForId(jobId)
      const left = deadline - Date.now()
      if (isFinished(response.status) || left <= 0) return response
      await sleep(Math.min(delay, left))
      delay = Math.min(delay * 2, 250)
    }
  }

  /**
   * Calls `listener` with the job's state each time its status or progress changes, starting with
   * its state now, until it is done or failed (the last call); answers a function that stops
   * listening. `onError` receives a failure to read the job (`JOB_NOT_FOUND`, the backend down),
   * after which nothing more is called. This default polls `getPipelineResponseForId` (10 ms,
   * backing off to 250 ms); pools with events override it. What SSE routes and dashboards use.
   */
  watchJob(
    jobId: string,
    listener: (job: JobResponse) => void,
    onError: (err: Error) => void = () => undefined,
  ): () => void {
    let stopped = false
    let last = ''
    let delay = 10
    const poll = async () => {
      while (!stopped) {
        let job: JobResponse
        try {
          job = await this.getPipelineResponseForId(jobId)
        } catch (err) {
          if (!stopped) onError(err as Error)
          return
        }
        if (stopped) return
        const key = JSON.stringify([job.status, job.progress])
        if (key !== last) {
          last = key
          delay = 10
          listener(job)
        }
        if (isFinished(job.status)) return
        await sleep(delay)
        delay = Math.min(delay * 2, 250)
      }
    }
    void poll()
    return () => {
      stopped = true
    }
  }

  /**
   * Calls `listener` with a job's state each time any job of this pool is queued, starts, reports
   * progress or ends; answers a function that stops listening. Pools that cannot see every job as
   * it changes answer `undefined` (this default): callers then watch jobs one by one with
   * {@link watchJob}. What a dashboard's pool-wide stream (`GET /events`) uses.
   */
  watchJobs(_listener: (job: JobResponse) => void): (() => void) | undefined {
    return undefined
  }

  /**
   * Starts workers (for `chariots worker`) and resolves once they take jobs. This default spawns
   * `concurrency` workers with `spawnWorker`; pools that can isolate job bodies use `appModule`.
   */
  async startWorkers(options: StartWorkersOptions = {}): Promise<WorkerHandle> {
    const handles: WorkerHandle[] = []
    for (let i = 0; i < (options.concurrency ?? 1); i++) handles.push(await this.spawnWorker())
    return { close: async () => void (await Promise.all(handles.map((h) => h.close()))) }
  }

  /** The attached host; throws when the pool was never attached to one. */
  protected requireHost(host?: PipelineHost): PipelineHost {
    const found = host ?? this.host
    if (!found) {
      throw new ChariotsError(
        ErrorCode.INTERNAL,
        `${this.constructor.name} is not attached to an app; pass it as the workerPool of an app (or call pool.attach(app.host)) before starting workers`,
      )
    }
    return found
  }
}
