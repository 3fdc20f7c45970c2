import { ChariotsError, ErrorCode, type Pipeline, type PipelineHost, type Progress } from '@chariots/core'
import { toJobError } from '../job/job-error.js'
import { newJobId } from '../job/job-id.js'
import { isFinished, JobStatus } from '../job/job-status.js'
import {
  checkedMs,
  DEFAULT_JOB_TIMEOUT_MS,
  jobTimeoutError,
  jobTimeoutFor,
  shutdownGraceMs,
  workerShutdownError,
} from '../job/job-timeout.js'
import type { JobResponse } from '../job/job-types.js'
import { normalizeProgress } from '../job/progress.js'
import {
  checkQueueLimits,
  jsonByteLength,
  type QueueLimitOptions,
  type QueueLimits,
  resolveQueueLimits,
} from '../job/queue-limits.js'
import { runPipelineJob } from '../run/run-pipeline-job.js'
import { BaseWorkerPool, type StartWorkersOptions, type WorkerHandle } from './base-worker-pool.js'
import { type InProcessJob, InProcessJobs } from './in-process-jobs.js'
import { JobWatchers, snapshot } from './job-watchers.js'

/** Options of an {@link InProcessWorkerPool}. */
export interface InProcessWorkerPoolOptions extends QueueLimitOptions {
  /** How many jobs run at once (default 1); 0 means no worker until `spawnWorker`/`startWorkers`. */
  concurrency?: number
  /** How many finished jobs are kept for `fetchJob` (default 10,000; the oldest go first). */
  maxFinishedJobs?: number
  /** At most this many bytes of finished results (as JSON) are kept (default 64 MB; the oldest go first). */
  maxFinishedBytes?: number
  /** How long a finished job is kept, in ms (default 24 h). */
  finishedJobTtlMs?: number
  /** How long a job may run, in ms, unless its pipeline sets `jobTimeoutMs` (default 1 h; 0: no limit). */
  jobTimeoutMs?: number
  /** How long `close()` waits for running jobs, in ms (default `CHARIOTS_SHUTDOWN_TIMEOUT_MS`, else 30 s). */
  shutdownTimeoutMs?: number
}

/** The queue limits of an in-process pool unless its options say otherwise. */
export const IN_PROCESS_QUEUE_LIMITS: QueueLimits = {
  maxQueuedJobs: 1_000,
  maxQueuedBytes: 64 * 1024 * 1024,
  retryAfterSeconds: 5,
}

/** A job body started and not returned yet. */
interface Run {
  readonly jobId: string
  readonly job: InProcessJob
  /** Whether the job still holds its slot (false once failed by its timeout or the shutdown). */
  current: boolean
  readonly settled: Promise<void>
  timer: NodeJS.Timeout | undefined
}

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * A worker pool with no backend: jobs run in this process, off the request path (the call answers
 * `queued` at once), at most `concurrency` at a time, in the order they came, each for at most its
 * timeout. It refuses new jobs with `QUEUE_FULL` past `maxQueuedJobs` or `maxQueuedBytes`. Job state
 * lives in this process's memory, so it is for one server on one machine; use `RQWorkerPool` when
 * several servers share jobs or when job bodies are CPU-heavy (they share this event loop).
 *
 * JavaScript cannot stop a function that does not return: a job past its timeout is failed with
 * `TIMEOUT` and its slot freed, but its body runs on until it returns. While it runs it holds its
 * pipeline's gate (a training), so saves and loads of that pipeline answer `TIMEOUT` after the host's
 * `busyTimeoutMs` instead of hanging; its input stays counted in `maxQueuedBytes` until it returns.
 *
 * @example
 * ```ts
 * const app = new Chariots([trainPipeline], { path, workerPool: new InProcessWorkerPool({ concurrency: 2 }) })
 * const { jobId } = await client.callPipeline(trainPipeline, undefined, { useWorker: true })
 * const done = await client.waitForJob(jobId!, trainPipeline, { timeoutMs: 60_000 })
 * ```
 */
export class InProcessWorkerPool extends BaseWorkerPool {
  /** The queue limits in force (the options with their defaults). */
  readonly limits: QueueLimits
  private slots: number
  private closed = false
  private pumpScheduled = false
  private readonly ttlMs: number
  private readonly maxFinished: number
  private readonly maxFinishedBytes: number
  private readonly defaultTimeoutMs: number
  private readonly graceMs: number
  private readonly jobs: InProcessJobs
  private readonly queue: string[] = []
  /** Jobs holding a slot. */
  private readonly running = new Map<string, Run>()
  /** Input bytes of queued jobs and of bodies not returned yet. */
  private heldBytes = 0
  private readonly watchers = new JobWatchers()
  private readonly drainWaiters = new Set<() => void>()

  constructor(options: InProcessWorkerPoolOptions = {}) {
    super()
    this.slots = nonNegativeInteger(options.concurrency ?? 1, 'concurrency')
    this.maxFinished = nonNegativeInteger(options.maxFinishedJobs ?? 10_000, 'maxFinishedJobs')
    this.ttlMs = options.finishedJobTtlMs ?? DAY_MS
    this.limits = resolveQueueLimits(options, IN_PROCESS_QUEUE_LIMITS)
    this.defaultTimeoutMs = checkedMs(options.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS, 'jobTimeoutMs')
    this.graceMs = checkedMs(options.shutdownTimeoutMs ?? shutdownGraceMs(), 'shutdownTimeoutMs')
    this.maxFinishedBytes = nonNegativeInteger(
      options.maxFinishedBytes ?? 64 * 1024 * 1024,
      'maxFinishedBytes',
    )
    this.jobs = new InProcessJobs({
      maxFinishedJobs: this.maxFinished,
      maxFinishedBytes: this.maxFinishedBytes,
      finishedJobTtlMs: this.ttlMs,
    })
  }

  /** Jobs run in the server's own process: there is nothing for `chariots worker` to run. */
  override get runsInServerProcess(): boolean {
    return true
  }

  /** How long closing waits for running jobs (the `shutdownTimeoutMs` option). */
  override get shutdownTimeoutMs(): number {
    return this.graceMs
  }

  /** The number of job slots (0 once closed). */
  async nWorkers(): Promise<number> {
    return this.closed ? 0 : this.slots
  }

  /**
   * Adds one job slot; closing the handle removes it again once a running job ends, or after the
   * grace period (`shutdownTimeoutMs`), which fails the newest job past the slots left with
   * `WORKER_SHUTDOWN`.
   */
  async spawnWorker(): Promise<WorkerHandle> {
    return this.addSlots(1)
  }

  /** Adds `concurrency` job slots in this process (`appModule` is not needed: the app is here). */
  override async startWorkers(options: StartWorkersOptions = {}): Promise<WorkerHandle> {
    return this.addSlots(nonNegativeInteger(options.concurrency ?? 1, 'concurrency'))
  }

  /**
   * Queues the job and answers its id at once. Refuses with `NO_WORKER_ALIVE` when the pool has no
   * slot (or is closed), `QUEUE_FULL` past its limits, `BODY_TOO_LARGE` for an input larger than
   * `maxQueuedBytes` alone.
   */
  /** Throws `QUEUE_FULL` when a job of about `inputBytes` would not fit in the limits now. */
  override async checkRoom(pipeline: Pipeline, inputBytes: number): Promise<void> {
    checkQueueLimits({ ...this.load(pipeline), inputBytes }, this.limits)
  }

  async executePipelineAsync(pipeline: Pipeline, input: unknown, host?: PipelineHost): Promise<string> {
    const owner = this.requireHost(host)
    if ((await this.nWorkers()) === 0) {
      throw new ChariotsError(
        ErrorCode.NO_WORKER_ALIVE,
        this.closed
          ? `the InProcessWorkerPool is closed; no worker can run pipeline '${pipeline.name}'`
          : `the InProcessWorkerPool has no worker (concurrency 0); start one with pool.spawnWorker() or pool.startWorkers()`,
      )
    }
    const load = this.load(pipeline)
    checkQueueLimits({ ...load, inputBytes: 0 }, this.limits) // a full pool refuses before measuring
    const inputBytes = jsonByteLength(input)
    checkQueueLimits({ ...load, inputBytes }, this.limits)
    const jobId = newJobId()
    const job: InProcessJob = {
      input,
      inputBytes,
      host: owner,
      timeoutMs: jobTimeoutFor(pipeline, this.defaultTimeoutMs),
      resultBytes: 0,
      response: {
        jobId,
        pipelineName: pipeline.name,
        status: JobStatus.queued,
        value: null,
        versions: {},
        progress: null,
        error: null,
      },
    }
    this.heldBytes += inputBytes
    this.jobs.add(jobId, job)
    this.queue.push(jobId)
    this.watchers.notify(job.response)
    this.schedulePump()
    return jobId
  }

  /** The job; a queued one says `workerLost` while the pool has no slot to run it. */
  async getPipelineResponseForId(jobId: string): Promise<JobResponse> {
    const job = snapshot(this.record(jobId).response)
    if (job.status === JobStatus.queued && this.slots === 0) job.workerLost = true
    return job
  }

  /** Resolves when the job ends (an event, no polling), or with its current state after `timeoutMs`. */
  override async waitForJob(jobId: string, timeoutMs: number): Promise<JobResponse> {
    const { response } = this.record(jobId)
    if (isFinished(response.status) || timeoutMs <= 0) return snapshot(response)
    return new Promise<JobResponse>((resolve) => {
      const timer = setTimeout(() => {
        stop()
        resolve(snapshot(response))
      }, timeoutMs)
      const stop = this.watchers.watch(jobId, (job) => {
        if (!isFinished(job.status)) return
        clearTimeout(timer)
        stop()
        resolve(job)
      })
    })
  }

  /**
   * Calls `listener` with the job now, then on each change of status or progress as it happens (no
   * polling), the last time when it is done or failed. An unknown id goes to `onError`.
   */
  override watchJob(
    jobId: string,
    listener: (job: JobResponse) => void,
    onError: (err: Error) => void = () => undefined,
  ): () => void {
    let job: JobResponse
    try {
      job = snapshot(this.record(jobId).response)
    } catch (err) {
      queueMicrotask(() => onError(err as Error))
      return () => undefined
    }
    listener(job)
    return isFinished(job.status) ? () => undefined : this.watchers.watch(jobId, listener)
  }

  /** Calls `listener` on each change of any job of this pool (queued, running, progress, the end). */
  override watchJobs(listener: (job: JobResponse) => void): () => void {
    return this.watchers.watchAll(listener)
  }

  /**
   * Stops taking jobs: queued jobs fail with `NO_WORKER_ALIVE`; running ones get the grace period
   * (`shutdownTimeoutMs`) to finish, then fail with `WORKER_SHUTDOWN`. Finished jobs stay readable.
   */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true
      this.slots = 0
      for (const jobId of this.queue.splice(0)) {
        const job = this.jobs.get(jobId)
        if (!job) continue
        this.heldBytes -= job.inputBytes
        this.fail(jobId, job, {
          code: ErrorCode.NO_WORKER_ALIVE,
          message: `the InProcessWorkerPool was closed before job ${jobId} started`,
        })
      }
    }
    const running = [...this.running.values()]
    if (running.length === 0) return
    await within(Promise.all(running.map((r) => r.settled)), this.graceMs)
    for (const run of running) if (run.current) this.shutDown(run)
  }

  /** Fails a run still going when the grace period ended, freeing its slot. */
  private shutDown(run: Run): void {
    const name = run.job.response.pipelineName ?? ''
    this.release(
      run,
      toJobError(workerShutdownError(run.jobId, name, this.graceMs, 'the InProcessWorkerPool')),
    )
  }

  /** What the pool holds now, for the limits. */
  private load(pipeline: Pipeline) {
    const queuedJobs = this.queue.length + this.running.size
    return { pool: 'InProcessWorkerPool', pipeline: pipeline.name, queuedJobs, queuedBytes: this.heldBytes }
  }

  private record(jobId: string): InProcessJob {
    const job = this.jobs.get(jobId)
    if (!job) {
      throw new ChariotsError(
        ErrorCode.JOB_NOT_FOUND,
        `no job '${String(jobId).slice(0, 100)}' in this InProcessWorkerPool (finished jobs are kept ${Math.round(this.ttlMs / 3_600_000)} h, at most ${this.maxFinished} and ${this.maxFinishedBytes} bytes of results; a restart forgets every job)`,
      )
    }
    return job
  }

  private addSlots(n: number): WorkerHandle {
    if (this.closed) throw new ChariotsError(ErrorCode.NO_WORKER_ALIVE, 'the InProcessWorkerPool is closed')
    this.slots += n
    this.schedulePump()
    let open = true
    return {
      close: async () => {
        if (!open) return
        open = false
        if (!this.closed) this.slots -= n
        await within(this.drained(), this.graceMs)
        // Past the grace period, the newest runs beyond the slots left are failed.
        for (const run of [...this.running.values()].slice(this.slots)) this.shutDown(run)
      },
    }
  }

  /** Resolves when no more jobs run than there are slots. */
  private drained(): Promise<void> {
    if (this.running.size <= this.slots) return Promise.resolve()
    return new Promise((resolve) => this.drainWaiters.add(resolve))
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return
    this.pumpScheduled = true
    // The call that queued the job answers first; the job starts on a later turn of the loop.
    setImmediate(() => {
      this.pumpScheduled = false
      this.pump()
    })
  }

  private pump(): void {
    while (this.running.size < this.slots && this.queue.length > 0) {
      const jobId = this.queue.shift()!
      const job = this.jobs.get(jobId)
      if (job) this.start(jobId, job)
    }
  }

  private start(jobId: string, job: InProcessJob): void {
    const { response } = job
    const input = job.input
    job.input = undefined // the body holds it now
    response.status = JobStatus.running
    const reportProgress = (progress: Progress) => {
      if (!run.current) return
      response.progress = normalizeProgress(progress)
      this.watchers.notify(response)
    }
    // The body's input bytes stay counted until it returns, also past its timeout.
    const settled = runPipelineJob(job.host, response.pipelineName!, input, { jobId, reportProgress }).then(
      (result) => {
        this.bodyReturned(run)
        if (!run.current) return
        job.resultBytes = safeBytes(result.value)
        response.value = result.value
        response.versions = result.versions
        this.release(run, null)
      },
      (err) => {
        this.bodyReturned(run)
        if (run.current) this.release(run, toJobError(err))
      },
    )
    const run: Run = { jobId, job, current: true, settled, timer: undefined }
    this.running.set(jobId, run)
    if (job.timeoutMs > 0) {
      run.timer = setTimeout(() => {
        if (!run.current) return
        const name = response.pipelineName ?? ''
        this.release(run, toJobError(jobTimeoutError(jobId, name, job.timeoutMs, false)))
      }, job.timeoutMs)
      run.timer.unref()
    }
    this.watchers.notify(response)
  }

  private bodyReturned(run: Run): void {
    this.heldBytes -= run.job.inputBytes
  }

  /** Ends the run's hold on its slot: done (no error) or failed, then starts the next jobs. */
  private release(run: Run, error: { code: string; message: string } | null): void {
    run.current = false
    clearTimeout(run.timer)
    this.running.delete(run.jobId)
    if (error) this.fail(run.jobId, run.job, error)
    else {
      run.job.response.status = JobStatus.done
      this.finish(run.jobId, run.job)
    }
    if (this.running.size <= this.slots) for (const resolve of this.takeDrainWaiters()) resolve()
    this.pump()
  }

  private fail(jobId: string, job: InProcessJob, error: { code: string; message: string }): void {
    job.response.error = error
    job.response.status = JobStatus.failed
    this.finish(jobId, job)
  }

  private finish(jobId: string, job: InProcessJob): void {
    this.jobs.finish(jobId)
    this.watchers.notify(job.response)
  }

  private takeDrainWaiters(): (() => void)[] {
    const all = [...this.drainWaiters]
    this.drainWaiters.clear()
    return all
  }
}

/** Resolves when `promise` settles or after `ms`, whichever comes first (no timer left behind). */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
}

/** The JSON bytes of a result, for the finished-bytes bound (0 when JSON cannot write it). */
function safeBytes(value: unknown): number {
  try {
    return jsonByteLength(value)
  } catch {
    return 0
  }
}

function nonNegativeInteger(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0) {
    throw new ChariotsError(
      ErrorCode.INVALID_INPUT,
      `InProcessWorkerPool ${what} must be a whole number ≥ 0, got ${n}`,
    )
  }
  return n
}
