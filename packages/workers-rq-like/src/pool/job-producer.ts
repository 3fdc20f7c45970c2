import { ChariotsError, ErrorCode, type Pipeline } from '@chariots/core'
import {
  checkQueueLimits,
  isValidJobId,
  type JobData,
  type JobResponse,
  type JobResult,
  JobStatus,
  jsonByteLength,
  newJobId,
  normalizeProgress,
  type QueueLimits,
} from '@chariots/workers'
import type { BackoffOptions, Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import { fromFailedReason } from '../job/job-failure.js'
import { toJobStatus } from '../job/job-state.js'
import { bullmq, ioredis } from '../redis/bull-modules.js'
import { QueueReservations } from '../redis/queue-reservations.js'
import { QueueBase, type QueueSettings } from './queue-base.js'

/** What the producer needs besides the queue's settings. */
export interface JobProducerOptions {
  limits: QueueLimits
  /** Finished jobs are kept this long, and at most this many of each outcome. */
  retention: { ageSeconds: number; count: number }
  attempts: number
  backoff: number | BackoffOptions | undefined
  maxStalledCount: number
  /** Ms a count of live workers is reused. */
  workerCountCacheMs: number
}

/**
 * The producer role of an {@link RQWorkerPool} (BullMQ's `Queue`): adds jobs within the queue's
 * limits, reads them back (with `workerLost` when no live worker holds them) and counts live
 * workers. Its connection fails fast while Redis is down (no offline queue, a command timeout), so
 * a request answers 503 `BACKEND_UNAVAILABLE` instead of hanging.
 */
export class JobProducer extends QueueBase {
  private client: Redis | undefined
  private queue: Queue<JobData, JobResult> | undefined
  private readonly places: QueueReservations
  private workerCount: { value: number; at: number } | undefined
  private countInFlight: Promise<number> | undefined
  private lastSweep = 0

  constructor(
    settings: QueueSettings,
    private readonly options: JobProducerOptions,
  ) {
    super(settings)
    this.places = new QueueReservations(() => this.redis(), this.keyPrefix)
  }

  /**
   * Live workers on the queue, in any process (Redis `CLIENT LIST`). A count is reused for
   * `workerCountCacheMs`; a zero only when `reuseZero` (a status read), so that a worker that just
   * started is seen at once by the next enqueue.
   */
  async countWorkers(reuseZero = false): Promise<number> {
    const cached = this.workerCount
    const fresh = cached && Date.now() - cached.at < this.options.workerCountCacheMs
    if (cached && fresh && (cached.value > 0 || reuseZero)) return cached.value
    this.countInFlight ??= this.deadline(
      this.getQueue().getWorkersCount(),
      `cannot count the workers of ${this.where()}`,
    )
      .then((value) => {
        this.workerCount = { value, at: Date.now() }
        return value
      })
      .finally(() => {
        this.countInFlight = undefined
      })
    return this.countInFlight
  }

  /** Forgets the cached worker count (a worker started or stopped in this process). */
  forgetWorkerCount(): void {
    this.workerCount = undefined
  }

  /**
   * Adds a job of `pipeline` on `input` and answers its id. Throws `QUEUE_FULL` past the limits
   * (counted in Redis across every server), `BODY_TOO_LARGE` for an input larger than
   * `maxQueuedBytes`, `BACKEND_UNAVAILABLE` when Redis does not answer.
   */
  async add(pipeline: Pipeline, input: unknown, timeoutMs: number): Promise<string> {
    const { limits } = this.options
    const inputBytes = jsonByteLength(input)
    const load = { pool: `RQWorkerPool of ${this.where()}`, pipeline: pipeline.name, inputBytes }
    checkQueueLimits({ ...load, queuedJobs: 0, queuedBytes: 0 }, limits) // one input over the whole limit
    const jobId = newJobId()
    const what = `cannot queue a job of pipeline '${pipeline.name}'`
    let place = await this.deadline(this.places.reserve(jobId, inputBytes, limits), what)
    if (place.outcome !== 'ok' && Date.now() - this.lastSweep > 1_000) {
      // Places of jobs that ended where no worker of ours saw it (failed by the stalled check, removed).
      this.lastSweep = Date.now()
      // Places younger than 10 command timeouts are spared: their job may be being added right now.
      const graceMs = 10 * this.settings.commandTimeoutMs
      if ((await this.deadline(this.places.sweep(graceMs), what)) > 0) {
        place = await this.deadline(this.places.reserve(jobId, inputBytes, limits), what)
      }
    }
    if (place.outcome !== 'ok') checkQueueLimits({ ...load, ...place }, limits)
    const { ageSeconds: age, count } = this.options.retention
    const { backoff } = this.options
    try {
      await this.deadline(
        this.getQueue().add(
          pipeline.name,
          { pipelineName: pipeline.name, input, timeoutMs, inputBytes },
          {
            jobId,
            attempts: this.options.attempts,
            ...(backoff === undefined ? {} : { backoff }),
            removeOnComplete: { age, count },
            removeOnFail: { age, count },
          },
        ),
        what,
      )
    } catch (err) {
      await this.places.release([jobId]).catch(() => undefined)
      throw err
    }
    return jobId
  }

  /** Throws `QUEUE_FULL` when a job of `inputBytes` would not fit the limits now (reserves nothing). */
  async checkRoom(pipeline: Pipeline, inputBytes: number): Promise<void> {
    const held = await this.deadline(
      this.places.held(),
      `cannot read the queue of pipeline '${pipeline.name}'`,
    )
    const pool = `RQWorkerPool of ${this.where()}`
    checkQueueLimits({ pool, pipeline: pipeline.name, inputBytes, ...held }, this.options.limits)
  }

  /** Everything known of the job; `JOB_NOT_FOUND` for an id Redis does not know. */
  async read(jobId: string): Promise<JobResponse> {
    if (!isValidJobId(jobId)) throw this.notFound(jobId)
    return this.deadline(this.readJob(jobId, true), `cannot read job ${jobId}`)
  }

  /** The id of the newest event of the queue's stream ('0-0' when there is none). */
  async lastEventId(): Promise<string> {
    const queue = this.getQueue()
    await queue.waitUntilReady()
    const last = await this.redis().xrevrange(queue.keys.events!, '+', '-', 'COUNT', 1)
    return last[0]?.[0] ?? '0-0'
  }

  /** The `JOB_NOT_FOUND` error of an id this queue does not know. */
  notFound(jobId: string): ChariotsError {
    const { ageSeconds, count } = this.options.retention
    return new ChariotsError(
      ErrorCode.JOB_NOT_FOUND,
      `job '${String(jobId).slice(0, 100)}' is not known to this backend (lost or expired): ${this.where()} keeps finished jobs ${Math.round(ageSeconds / 3600)} h and at most ${count} of each outcome, and a Redis restarted without persistence has lost its jobs`,
    )
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.queue) await this.closeBull(this.queue)
    if (this.client) await this.client.quit().catch(() => this.client?.disconnect())
  }

  private async readJob(jobId: string, again: boolean): Promise<JobResponse> {
    const queue = this.getQueue()
    // The state first: a job read after it says 'completed' has its return value.
    const status = toJobStatus(await queue.getJobState(jobId))
    const job = status === null ? undefined : await queue.getJob(jobId)
    if (status === null || !job) throw this.notFound(jobId)
    let workerLost = false
    if (status === JobStatus.running) {
      // A live worker renews the job's lock; without it the worker died (or its loop was blocked).
      const held = await this.redis().exists(`${this.keyPrefix}:${jobId}:lock`)
      if (!held) {
        if (again && toJobStatus(await queue.getJobState(jobId)) !== status) return this.readJob(jobId, false)
        workerLost = true
      }
    }
    if (!workerLost && (status === JobStatus.queued || status === JobStatus.running)) {
      workerLost = (await this.countWorkers(true)) === 0
    }
    const result = status === JobStatus.done ? (job.returnvalue as JobResult | null) : null
    return {
      jobId,
      pipelineName: job.data?.pipelineName ?? job.name ?? null,
      status,
      value: result?.value ?? null,
      versions: result?.versions ?? {},
      progress: normalizeProgress(job.progress),
      error:
        status === JobStatus.failed ? fromFailedReason(job.failedReason, this.options.maxStalledCount) : null,
      ...(workerLost ? { workerLost } : {}),
    }
  }

  private redis(): Redis {
    this.getQueue()
    return this.client!
  }

  private getQueue(): Queue<JobData, JobResult> {
    if (this.closed) throw this.closedError()
    if (!this.queue) {
      const timeout = this.settings.commandTimeoutMs
      this.client = new (ioredis().Redis)({
        ...this.settings.redis,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: timeout,
        connectTimeout: Math.max(timeout, 1_000),
      })
      this.client.on('error', (err) => this.settings.warn(err))
      this.queue = new (bullmq().Queue)<JobData, JobResult>(this.queueName, {
        connection: this.client,
        ...this.bullOptions(),
      })
      this.queue.on('error', (err) => this.settings.warn(err))
    }
    return this.queue
  }
}
