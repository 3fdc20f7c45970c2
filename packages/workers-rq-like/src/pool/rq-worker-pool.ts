import { resolve } from 'node:path'
import { compileTypeScript } from '@chariots/app-loader'
import { ChariotsError, ErrorCode, type Pipeline, type PipelineHost } from '@chariots/core'
import {
  BaseWorkerPool,
  checkedMs,
  DEFAULT_JOB_TIMEOUT_MS,
  isValidJobId,
  type JobResponse,
  jobTimeoutFor,
  type QueueLimitOptions,
  type QueueLimits,
  resolveQueueLimits,
  type StartWorkersOptions,
  shutdownGraceMs,
  type WorkerHandle,
} from '@chariots/workers'
import type { BackoffOptions } from 'bullmq'
import { describeRedis, type RedisConnectionInput, redisOptionsOf } from '../redis/redis-options.js'
import { APP_MODULE_ENV } from '../sandbox/app-module-env.js'
import { JobRunnerPool } from '../sandbox/job-runner-pool.js'
import { LocalRunner } from '../sandbox/local-runner.js'
import { SandboxRunner } from '../sandbox/sandbox-runner.js'
import { JobConsumer } from './job-consumer.js'
import { JobEvents } from './job-events.js'
import { JobProducer } from './job-producer.js'
import type { QueueSettings } from './queue-base.js'

/** How long finished jobs stay readable. */
export interface JobRetention {
  /** Seconds a finished job is kept (default 86,400: 24 h). */
  ageSeconds?: number
  /** At most this many finished jobs of each kind (done, failed) are kept (default 10,000). */
  count?: number
}

/** Options of an {@link RQWorkerPool}. */
export interface RQWorkerPoolOptions extends QueueLimitOptions {
  /** An ioredis client, its options, or a `redis://` URL; the pool opens its own duplicates. */
  connection: RedisConnectionInput
  /** The BullMQ queue (default `'chariots'`); servers and workers of one app use the same. */
  queueName?: string
  /** BullMQ key prefix (default `'bull'`). */
  prefix?: string
  /** How long finished jobs are kept (default 24 h, at most 10,000 of each outcome). */
  jobRetention?: JobRetention
  /** Runs of a job before it is `failed` (default 1: training is not idempotent). */
  attempts?: number
  /** Delay between attempts: ms, or BullMQ backoff options (default: none). */
  backoff?: number | BackoffOptions
  /** Ms a worker holds a job's lock before renewing it (default 5,000: a dead worker shows within 5 s). */
  lockDuration?: number
  /** Ms between checks for jobs whose worker died (default 5,000). */
  stalledInterval?: number
  /** Times a job may be recovered from a dead worker before it is `failed` (default 1). */
  maxStalledCount?: number
  /** How long a job may run, in ms, unless its pipeline sets `jobTimeoutMs` (default 1 h; 0: no limit). */
  jobTimeoutMs?: number
  /** How long a closing worker waits for running jobs, in ms (default `CHARIOTS_SHUTDOWN_TIMEOUT_MS`, else 30 s). */
  shutdownTimeoutMs?: number
  /** The JS heap limit of each job thread or child process, in MB (default 4,096). */
  jobMemoryLimitMb?: number
  /** Ms a server-side Redis call may take before the request fails (default 2,000). */
  commandTimeoutMs?: number
  /** Ms the live-worker count is cached between enqueues (default 1,000). */
  workerCountCacheMs?: number
  /**
   * Where `startWorkers({ appModule })` runs job bodies: one worker thread per job slot (default),
   * or, with `false`, one child process per job slot (full isolation: native addons, process-wide
   * state).
   */
  useWorkerThreads?: boolean
  /** Receives Redis and BullMQ errors (default: a warning at most every 10 s). */
  onError?: (err: Error) => void
}

/** The queue limits of an RQWorkerPool unless its options say otherwise. */
export const RQ_QUEUE_LIMITS: QueueLimits = {
  maxQueuedJobs: 10_000,
  maxQueuedBytes: 256 * 1024 * 1024,
  retryAfterSeconds: 5,
}

/**
 * A worker pool on BullMQ (Redis): jobs, their status, progress, result and error live in Redis,
 * so any server instance answers for any job, also after a restart; `chariots worker <module>`
 * processes run them, each job in a worker thread (or child process) of its own, within its
 * timeout. It composes the roles of BullMQ: a producer (`Queue`), consumers (`Worker`) and an event
 * reader (`QueueEvents`).
 *
 * One answer per situation: Redis unreachable (or the pool closed) is `BACKEND_UNAVAILABLE` (503)
 * everywhere (enqueue, fetch, wait, watch); Redis up with no live worker is `NO_WORKER_ALIVE`
 * (503); past the queue's limits `QUEUE_FULL` (503 with `Retry-After`).
 *
 * @example
 * ```ts
 * const pool = new RQWorkerPool({ connection: 'redis://127.0.0.1:6379', queueName: 'my-app' })
 * export default new Chariots(pipelines, { path: './data', workerPool: pool })
 * // then: chariots worker ./app.js --concurrency 2
 * ```
 */
export class RQWorkerPool extends BaseWorkerPool {
  readonly queueName: string
  /** The queue limits in force (the options with their defaults). */
  readonly limits: QueueLimits
  private readonly options: RQWorkerPoolOptions
  private readonly settings: QueueSettings
  private readonly producer: JobProducer
  private readonly consumer: JobConsumer
  private readonly events: JobEvents
  private readonly defaultTimeoutMs: number
  private readonly graceMs: number
  private closed = false
  private lastWarning = 0

  constructor(options: RQWorkerPoolOptions) {
    super()
    this.options = options
    this.queueName = options.queueName ?? 'chariots'
    this.limits = resolveQueueLimits(options, RQ_QUEUE_LIMITS)
    this.defaultTimeoutMs = checkedMs(options.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS, 'jobTimeoutMs')
    this.settings = {
      queueName: this.queueName,
      prefix: options.prefix ?? 'bull',
      redis: redisOptionsOf(options.connection),
      commandTimeoutMs: options.commandTimeoutMs ?? 2_000,
      warn: (err) => this.warn(err),
    }
    const maxStalledCount = options.maxStalledCount ?? 1
    this.graceMs = checkedMs(options.shutdownTimeoutMs ?? shutdownGraceMs(), 'shutdownTimeoutMs')
    this.producer = new JobProducer(this.settings, {
      limits: this.limits,
      retention: {
        ageSeconds: options.jobRetention?.ageSeconds ?? 86_400,
        count: options.jobRetention?.count ?? 10_000,
      },
      attempts: options.attempts ?? 1,
      backoff: options.backoff,
      maxStalledCount,
      workerCountCacheMs: options.workerCountCacheMs ?? 1_000,
    })
    this.consumer = new JobConsumer(this.settings, {
      lockDuration: options.lockDuration ?? 5_000,
      stalledInterval: options.stalledInterval ?? 5_000,
      maxStalledCount,
      defaultTimeoutMs: this.defaultTimeoutMs,
      graceMs: this.graceMs,
    })
    this.events = new JobEvents(this.settings, this.producer)
  }

  /** How long a closing worker waits for running jobs (the `shutdownTimeoutMs` option). */
  override get shutdownTimeoutMs(): number {
    return this.graceMs
  }

  /**
   * Live workers on the queue, in any process (Redis `CLIENT LIST`, a positive count cached
   * briefly); `BACKEND_UNAVAILABLE` when Redis cannot be reached; 0 once closed.
   */
  async nWorkers(): Promise<number> {
    if (this.closed) return 0
    return this.producer.countWorkers()
  }

  /** Starts one BullMQ worker in this process (concurrency 1) running jobs on the attached app. */
  async spawnWorker(): Promise<WorkerHandle> {
    return this.startLocal(1)
  }

  /**
   * Starts one BullMQ worker with `concurrency` job slots. With `appModule` (what `chariots worker`
   * passes) each slot has a worker thread of its own that imports the app module (or a child
   * process, with `useWorkerThreads: false`), so this process's event loop only fetches, renews
   * locks and completes jobs; a job that exits, runs out of memory or times out ends only its
   * thread, which is replaced. Rejects when the module cannot be loaded. Without `appModule`, job
   * bodies run in this process on the attached app.
   */
  override async startWorkers(options: StartWorkersOptions = {}): Promise<WorkerHandle> {
    const concurrency = options.concurrency ?? 1
    if (!options.appModule) return this.startLocal(concurrency)
    // A TypeScript app is compiled here, once: every job runner imports the bundle (plain JS).
    const appModule = await runnableModule(resolve(options.appModule))
    // Job runners build the app's host once each and load per job: no start-up load there.
    const env = { ...process.env, [APP_MODULE_ENV]: appModule, CHARIOTS_AUTOLOAD: '0' }
    const kind = this.options.useWorkerThreads === false ? 'process' : 'thread'
    const memoryLimitMb = this.options.jobMemoryLimitMb ?? 4_096
    const runners = new JobRunnerPool(
      concurrency,
      () => new SandboxRunner({ kind, appModule, env, memoryLimitMb }),
      (err) => this.warn(err),
    )
    await runners.start()
    return this.startConsumer(runners, concurrency, options.logger)
  }

  /**
   * Queues a run of `pipeline` on `input` and answers the job id at once. Throws
   * `BACKEND_UNAVAILABLE` when Redis cannot be reached, `NO_WORKER_ALIVE` when no worker is alive,
   * `QUEUE_FULL` past the queue's limits.
   */
  async executePipelineAsync(pipeline: Pipeline, input: unknown, host?: PipelineHost): Promise<string> {
    if (host && !this.host) this.attach(host)
    if (this.closed)
      throw new ChariotsError(
        ErrorCode.BACKEND_UNAVAILABLE,
        `the RQWorkerPool of queue '${this.queueName}' is closed`,
      )
    if ((await this.nWorkers()) === 0) {
      throw new ChariotsError(
        ErrorCode.NO_WORKER_ALIVE,
        `no worker is alive on queue '${this.queueName}' at ${describeRedis(this.settings.redis)}; start one with 'chariots worker <app module>'`,
      )
    }
    return this.producer.add(pipeline, input, jobTimeoutFor(pipeline, this.defaultTimeoutMs))
  }

  /** Throws `QUEUE_FULL` when a job of about `inputBytes` would not fit the queue's limits now. */
  override async checkRoom(pipeline: Pipeline, inputBytes: number): Promise<void> {
    if (this.closed)
      throw new ChariotsError(
        ErrorCode.BACKEND_UNAVAILABLE,
        `the RQWorkerPool of queue '${this.queueName}' is closed`,
      )
    await this.producer.checkRoom(pipeline, inputBytes)
  }

  async getPipelineResponseForId(jobId: string): Promise<JobResponse> {
    return this.producer.read(jobId)
  }

  /** Resolves as soon as the job ends (woken by the queue's events), or with its state after `timeoutMs`. */
  override async waitForJob(jobId: string, timeoutMs: number): Promise<JobResponse> {
    if (!isValidJobId(jobId)) throw this.producer.notFound(jobId)
    return this.events.waitFor(jobId, timeoutMs)
  }

  /** Calls `listener` on each change of the job, woken by the queue's events (see `BaseWorkerPool`). */
  override watchJob(
    jobId: string,
    listener: (job: JobResponse) => void,
    onError: (err: Error) => void = () => undefined,
  ): () => void {
    if (!isValidJobId(jobId)) {
      queueMicrotask(() => onError(this.producer.notFound(jobId)))
      return () => undefined
    }
    return this.events.watch(jobId, listener, onError)
  }

  /** Calls `listener` on each event of any job of the queue, from any server or worker. */
  override watchJobs(listener: (job: JobResponse) => void): () => void {
    return this.events.watchAll(listener)
  }

  /** Stops this process's workers (with the grace period), then closes every connection it opened. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.consumer.close()
    await Promise.all([this.events.close(), this.producer.close()])
  }

  private startLocal(concurrency: number): Promise<WorkerHandle> {
    const host = this.requireHost()
    const runners = new JobRunnerPool(
      concurrency,
      () => new LocalRunner(host),
      (err) => this.warn(err),
    )
    // The host logs its own jobs here: no logger for the consumer.
    return runners.start().then(() => this.startConsumer(runners, concurrency, undefined))
  }

  private async startConsumer(
    runners: JobRunnerPool,
    concurrency: number,
    logger: StartWorkersOptions['logger'],
  ): Promise<WorkerHandle> {
    try {
      if (this.closed)
        throw new ChariotsError(
          ErrorCode.BACKEND_UNAVAILABLE,
          `the RQWorkerPool of queue '${this.queueName}' is closed`,
        )
      const handle = await this.consumer.start(runners, concurrency, logger)
      this.producer.forgetWorkerCount()
      return {
        close: async () => {
          await handle.close()
          this.producer.forgetWorkerCount()
        },
      }
    } catch (err) {
      await runners.close()
      throw err
    }
  }

  private warn(err: Error): void {
    if (this.options.onError) {
      this.options.onError(err)
      return
    }
    const now = Date.now()
    if (now - this.lastWarning < 10_000) return
    this.lastWarning = now
    console.warn(
      `[chariots] RQWorkerPool '${this.queueName}' (Redis ${describeRedis(this.settings.redis)}): ${err.message}`,
    )
  }
}

/** The module job runners import: the app module, or for TypeScript its compiled bundle. */
async function runnableModule(appModule: string): Promise<string> {
  if (!/\.(c|m)?tsx?$/.test(appModule) || process.env.CHARIOTS_TS_LOADER === 'tsx') return appModule
  return (await compileTypeScript(appModule)).file
}
