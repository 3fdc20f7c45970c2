import { hostname } from 'node:os'
import {
  type JobData,
  type JobLogger,
  type JobResult,
  toJobError,
  type WorkerHandle,
  workerShutdownError,
} from '@chariots/workers'
import type { Job, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { fromFailedReason } from '../job/job-failure.js'
import { bullmq, ioredis } from '../redis/bull-modules.js'
import { QueueReservations } from '../redis/queue-reservations.js'
import type { JobRunnerPool } from '../sandbox/job-runner-pool.js'
import { QueueBase, type QueueSettings } from './queue-base.js'

/** Inputs up to this many bytes stay with their finished job (dropping them costs a round trip). */
const DROP_INPUT_BYTES = 1024

/** What the consumer needs besides the queue's settings. */
export interface JobConsumerOptions {
  lockDuration: number
  stalledInterval: number
  maxStalledCount: number
  /** The timeout of a job that does not carry its own (queued by an older server). */
  defaultTimeoutMs: number
  /** How long closing waits for running jobs before it fails them with `WORKER_SHUTDOWN`. */
  graceMs: number
}

/**
 * The consumer role of an {@link RQWorkerPool} (BullMQ's `Worker`): takes jobs from the queue and
 * runs each in a runner of a {@link JobRunnerPool}, one job per runner, within its timeout. The
 * BullMQ worker keeps its event loop free for lock renewal: a job body runs in a thread or a child
 * process (or, for `spawnWorker`, on this loop). Once a job is finished it frees its place in the
 * queue's limits and drops its input from Redis; `logger` logs each job's start, end and failure.
 */
export class JobConsumer extends QueueBase {
  /** Each running worker and how to stop it (with the grace period). */
  private readonly workers = new Map<Worker, () => Promise<void>>()
  private client: Redis | undefined
  private readonly places: QueueReservations

  constructor(
    settings: QueueSettings,
    private readonly options: JobConsumerOptions,
  ) {
    super(settings)
    this.places = new QueueReservations(() => this.redis(), this.keyPrefix)
  }

  /**
   * Starts one BullMQ worker with `concurrency` job slots on `runners` (as many runners as slots);
   * resolves once it takes jobs. Closing the handle stops taking jobs, waits the grace period for
   * running ones, fails those still running with `WORKER_SHUTDOWN`, then stops the runners.
   */
  async start(runners: JobRunnerPool, concurrency: number, logger?: JobLogger): Promise<WorkerHandle> {
    if (this.closed) throw this.closedError()
    const { lockDuration, stalledInterval, maxStalledCount } = this.options
    const worker: Worker<JobData, JobResult> = new (bullmq().Worker)<JobData, JobResult>(
      this.queueName,
      (job) => this.process(job, runners, logger),
      {
        connection: this.blockingOptions(),
        ...this.bullOptions(),
        concurrency,
        name: `${hostname()}-${process.pid}`,
        lockDuration,
        stalledInterval,
        maxStalledCount,
      },
    )
    worker.on('error', (err) => this.settings.warn(err))
    // A completed job freed its place in `process`; BullMQ's own failures (stalled too often) did
    // not run it. A failed attempt that will be retried has no finishedOn yet: it keeps both.
    worker.on('completed', (job) => void this.finished(job, false))
    worker.on('failed', (job) => void (job?.finishedOn ? this.finished(job, true) : undefined))
    let closing: Promise<void> | undefined
    const close = () => {
      closing ??= this.stop(worker, runners)
      return closing
    }
    this.workers.set(worker, close)
    await worker.waitUntilReady()
    return { close }
  }

  /** Stops every worker this consumer started (with the grace period), then its connection. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.all([...this.workers.values()].map((stop) => stop()))
    if (this.client) await this.client.quit().catch(() => this.client?.disconnect())
  }

  private async stop(worker: Worker, runners: JobRunnerPool): Promise<void> {
    const { graceMs } = this.options
    const who = `the worker ${hostname()}-${process.pid}`
    const timer = setTimeout(() => {
      void runners.abortAll((job) =>
        toJobError(workerShutdownError(job.id ?? '', job.data.pipelineName, graceMs, who)),
      )
    }, graceMs)
    try {
      await this.closeBull(worker)
    } finally {
      clearTimeout(timer)
      this.workers.delete(worker)
      await runners.close()
    }
  }

  private async process(job: Job<JobData, JobResult>, runners: JobRunnerPool, logger?: JobLogger) {
    const started = performance.now()
    const fields = { job: job.id, pipeline: job.data.pipelineName }
    logger?.info({ ...fields, attempt: job.attemptsMade + 1 }, 'job started')
    try {
      const result = await runners.run(job, job.data.timeoutMs ?? this.options.defaultTimeoutMs)
      logger?.info({ ...fields, ms: Math.round(performance.now() - started), status: 'done' }, 'job done')
      await this.release(job) // before BullMQ marks it done: who sees it done can queue again
      return result
    } catch (err) {
      const { code, message } = fromFailedReason((err as Error).message, this.options.maxStalledCount)
      const ms = Math.round(performance.now() - started)
      logger?.warn({ ...fields, ms, status: 'failed', code }, `job failed: ${message}`)
      const last =
        (err as Error).name === 'UnrecoverableError' || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
      if (last) await this.release(job)
      throw err
    }
  }

  /** Frees the job's place in the queue's limits (a lost release is freed by a later sweep). */
  private async release(job: Job<JobData, JobResult>): Promise<void> {
    if (job.id) await this.places.release([job.id]).catch((err: Error) => this.settings.warn(err))
  }

  /**
   * A finished job drops its input when it is larger than 1 KB (results are read without it; a
   * smaller one is not worth the round trip), and frees its place when `release`.
   */
  private async finished(job: Job<JobData, JobResult>, release: boolean): Promise<void> {
    if (!job.id) return
    try {
      if (release) await this.places.release([job.id])
      if ((job.data.inputBytes ?? Number.POSITIVE_INFINITY) <= DROP_INPUT_BYTES) return
      const { input: _dropped, ...rest } = job.data
      await job.updateData(rest)
    } catch (err) {
      // The job may have been removed meanwhile (retention); the next sweep frees what is left.
      if (!/Missing key|does not exist/i.test((err as Error).message)) this.settings.warn(err as Error)
    }
  }

  private redis(): Redis {
    if (!this.client) {
      this.client = new (ioredis().Redis)({ ...this.settings.redis, maxRetriesPerRequest: null })
      this.client.on('error', (err) => this.settings.warn(err))
    }
    return this.client
  }
}
