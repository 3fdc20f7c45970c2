import { ChariotsError, ErrorCode, type Pipeline, type PipelineHost, type Progress } from '@chariots/core'
import { toJobError } from '../job/job-error.js'
import { newJobId } from '../job/job-id.js'
import { isFinished, JobStatus } from '../job/job-status.js'
import type { JobResponse } from '../job/job-types.js'
import { normalizeProgress } from '../job/progress.js'
import { runPipelineJob } from '../run/run-pipeline-job.js'
import { BaseWorkerPool, type StartWorkersOptions, type WorkerHandle } from './base-worker-pool.js'

/** Options of an {@link InProcessWorkerPool}. */
export interface InProcessWorkerPoolOptions {
  /** How many jobs run at once (default 1); 0 means no worker until `spawnWorker`/`startWorkers`. */
  concurrency?: number
  /** How many finished jobs are kept for `fetchJob` (default 10,000; the oldest go first). */
  maxFinishedJobs?: number
  /** How long a finished job is kept, in ms (default 24 h). */
  finishedJobTtlMs?: number
}

interface JobRecord {
  response: JobResponse
  input: unknown
  host: PipelineHost
}

type Waiter = (response: JobResponse) => void

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * A worker pool with no backend: jobs run in this process, off the request path (the call answers
 * `queued` at once), at most `concurrency` at a time, in the order they came. Job state lives in
 * this process's memory, so it is for one server on one machine; use `RQWorkerPool` when several
 * servers share jobs or when job bodies are CPU-heavy (they share this event loop).
 *
 * @example
 * ```ts
 * const app = new Chariots([trainPipeline], { path, workerPool: new InProcessWorkerPool({ concurrency: 2 }) })
 * const { jobId } = await client.callPipeline(trainPipeline, undefined, { useWorker: true })
 * const done = await client.waitForJob(jobId!, trainPipeline, { timeoutMs: 60_000 })
 * ```
 */
export class InProcessWorkerPool extends BaseWorkerPool {
  private slots: number
  private running = 0
  private closed = false
  private pumpScheduled = false
  private readonly maxFinished: number
  private readonly ttlMs: number
  private readonly jobs = new Map<string, JobRecord>()
  private readonly queue: string[] = []
  /** Finished job ids in the order they finished, with when. */
  private readonly finished = new Map<string, number>()
  private readonly waiters = new Map<string, Set<Waiter>>()
  private readonly drainWaiters = new Set<() => void>()
  private readonly active = new Set<Promise<void>>()

  constructor(options: InProcessWorkerPoolOptions = {}) {
    super()
    this.slots = nonNegativeInteger(options.concurrency ?? 1, 'concurrency')
    this.maxFinished = nonNegativeInteger(options.maxFinishedJobs ?? 10_000, 'maxFinishedJobs')
    this.ttlMs = options.finishedJobTtlMs ?? DAY_MS
  }

  /** Jobs run in the server's own process: there is nothing for `chariots worker` to run. */
  override get runsInServerProcess(): boolean {
    return true
  }

  /** The number of job slots (0 once closed). */
  async nWorkers(): Promise<number> {
    return this.closed ? 0 : this.slots
  }

  /** Adds one job slot; closing the handle removes it again (after a running job ends). */
  async spawnWorker(): Promise<WorkerHandle> {
    return this.addSlots(1)
  }

  /** Adds `concurrency` job slots in this process (`appModule` is not needed: the app is here). */
  override async startWorkers(options: StartWorkersOptions = {}): Promise<WorkerHandle> {
    return this.addSlots(nonNegativeInteger(options.concurrency ?? 1, 'concurrency'))
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
    const jobId = newJobId()
    this.jobs.set(jobId, {
      input,
      host: owner,
      response: {
        jobId,
        pipelineName: pipeline.name,
        status: JobStatus.queued,
        value: null,
        versions: {},
        progress: null,
        error: null,
      },
    })
    this.queue.push(jobId)
    this.prune()
    this.schedulePump()
    return jobId
  }

  async getPipelineResponseForId(jobId: string): Promise<JobResponse> {
    return snapshot(this.record(jobId).response)
  }

  /** Resolves when the job ends (an event, no polling), or with its current state after `timeoutMs`. */
  override async waitForJob(jobId: string, timeoutMs: number): Promise<JobResponse> {
    const { response } = this.record(jobId)
    if (isFinished(response.status) || timeoutMs <= 0) return snapshot(response)
    return new Promise<JobResponse>((resolve) => {
      const waiters = this.waiters.get(jobId) ?? new Set<Waiter>()
      this.waiters.set(jobId, waiters)
      const waiter: Waiter = (r) => {
        clearTimeout(timer)
        resolve(r)
      }
      const timer = setTimeout(() => {
        waiters.delete(waiter)
        if (waiters.size === 0) this.waiters.delete(jobId)
        resolve(snapshot(response))
      }, timeoutMs)
      waiters.add(waiter)
    })
  }

  /**
   * Stops taking jobs: queued jobs fail with `NO_WORKER_ALIVE`, running ones finish, then it resolves.
   * Finished jobs stay readable.
   */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true
      this.slots = 0
      for (const jobId of this.queue.splice(0)) {
        const rec = this.jobs.get(jobId)
        if (!rec) continue
        rec.response.status = JobStatus.failed
        rec.response.error = {
          code: ErrorCode.NO_WORKER_ALIVE,
          message: `the InProcessWorkerPool was closed before job ${jobId} started`,
        }
        this.finish(jobId)
      }
    }
    await Promise.all(this.active)
  }

  private record(jobId: string): JobRecord {
    this.prune()
    const rec = this.jobs.get(jobId)
    if (!rec) {
      throw new ChariotsError(
        ErrorCode.JOB_NOT_FOUND,
        `no job '${String(jobId).slice(0, 100)}' in this InProcessWorkerPool (finished jobs are kept ${Math.round(this.ttlMs / 3_600_000)} h, at most ${this.maxFinished}; a restart forgets every job)`,
      )
    }
    return rec
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
        await this.drained()
      },
    }
  }

  /** Resolves when no more jobs run than there are slots. */
  private drained(): Promise<void> {
    if (this.running <= this.slots) return Promise.resolve()
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
    while (this.running < this.slots && this.queue.length > 0) {
      const jobId = this.queue.shift()!
      const rec = this.jobs.get(jobId)
      if (rec) this.start(jobId, rec)
    }
  }

  private start(jobId: string, rec: JobRecord): void {
    const { response } = rec
    response.status = JobStatus.running
    this.running++
    const reportProgress = (progress: Progress) => {
      response.progress = normalizeProgress(progress)
    }
    const run = (async () => {
      try {
        const result = await runPipelineJob(rec.host, response.pipelineName!, rec.input, {
          jobId,
          reportProgress,
        })
        response.value = result.value
        response.versions = result.versions
        response.status = JobStatus.done
      } catch (err) {
        response.error = toJobError(err)
        response.status = JobStatus.failed
      }
    })().finally(() => {
      this.running--
      this.active.delete(run)
      rec.input = undefined // the input can be large; a finished job no longer needs it
      this.finish(jobId)
      if (this.running <= this.slots) for (const resolve of this.takeDrainWaiters()) resolve()
      this.pump()
    })
    this.active.add(run)
  }

  private takeDrainWaiters(): (() => void)[] {
    const all = [...this.drainWaiters]
    this.drainWaiters.clear()
    return all
  }

  private finish(jobId: string): void {
    this.finished.delete(jobId)
    this.finished.set(jobId, Date.now())
    const rec = this.jobs.get(jobId)
    const waiters = this.waiters.get(jobId)
    this.waiters.delete(jobId)
    if (rec && waiters) for (const waiter of waiters) waiter(snapshot(rec.response))
    this.prune()
  }

  /** Forgets the oldest finished jobs beyond `maxFinishedJobs` or older than the TTL. */
  private prune(): void {
    const oldestAllowed = Date.now() - this.ttlMs
    for (const [jobId, at] of this.finished) {
      if (this.finished.size <= this.maxFinished && at >= oldestAllowed) break
      this.finished.delete(jobId)
      this.jobs.delete(jobId)
    }
  }
}

function snapshot(response: JobResponse): JobResponse {
  return { ...response, versions: { ...response.versions }, error: response.error && { ...response.error } }
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
