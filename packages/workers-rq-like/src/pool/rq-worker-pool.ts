import type { EventEmitter } from 'node:events'
import { availableParallelism, hostname } from 'node:os'
import { resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { ChariotsError, ErrorCode, type Pipeline, type PipelineHost } from '@chariots/core'
import {
  BaseWorkerPool,
  isFinished,
  isValidJobId,
  type JobData,
  type JobResponse,
  type JobResult,
  newJobId,
  normalizeProgress,
  type StartWorkersOptions,
  type WorkerHandle,
} from '@chariots/workers'
import {
  type BackoffOptions,
  type ConnectionOptions,
  type Processor,
  Queue,
  QueueEvents,
  Worker,
  type WorkerOptions,
} from 'bullmq'
import { Redis, type RedisOptions } from 'ioredis'
import { fromFailedReason } from '../job/job-failure.js'
import { toJobStatus } from '../job/job-state.js'
import { processJob } from '../job/process-job.js'
import { describeRedis, type RedisConnectionInput, redisOptionsOf } from '../redis/redis-options.js'
import { withDeadline } from '../redis/with-deadline.js'
import { APP_MODULE_ENV } from '../sandbox/app-module-env.js'
import { JobThreadPool } from '../sandbox/job-thread-pool.js'
import { resolveTsxApi, TSX_API_ENV } from '../sandbox/load-worker-host.js'

/** How long finished jobs stay readable. */
export interface JobRetention {
  /** Seconds a finished job is kept (default 86,400: 24 h). */
  ageSeconds?: number
  /** At most this many finished jobs of each kind (done, failed) are kept (default: no limit). */
  count?: number
}

/** Options of an {@link RQWorkerPool}. */
export interface RQWorkerPoolOptions {
  /** An ioredis client, its options, or a `redis://` URL; the pool opens its own duplicates. */
  connection: RedisConnectionInput
  /** The BullMQ queue (default `'chariots'`); servers and workers of one app use the same. */
  queueName?: string
  /** BullMQ key prefix (default `'bull'`). */
  prefix?: string
  /** How long finished jobs are kept (default 24 h). */
  jobRetention?: JobRetention
  /** Runs of a job before it is `failed` (default 1: training is not idempotent). */
  attempts?: number
  /** Delay between attempts: ms, or BullMQ backoff options (default: none). */
  backoff?: number | BackoffOptions
  /** Ms a worker holds a job's lock before renewing it (default 30,000). */
  lockDuration?: number
  /** Ms between checks for jobs whose worker died (default 30,000). */
  stalledInterval?: number
  /** Times a job may be recovered from a dead worker before it is `failed` (default 1). */
  maxStalledCount?: number
  /** Ms a server-side Redis call may take before the request fails (default 2,000). */
  commandTimeoutMs?: number
  /** Ms the live-worker count is cached between enqueues (default 1,000). */
  workerCountCacheMs?: number
  /**
   * Where `startWorkers({ appModule })` runs job bodies: worker threads (default: lighter, faster)
   * or, with `false`, one BullMQ sandbox child process per job slot (full isolation: native addons,
   * process-wide state, a crash or OOM of one job).
   */
  useWorkerThreads?: boolean
  /** Worker threads per worker process (default: the concurrency, at most one per core). */
  threads?: number
  /** Receives Redis and BullMQ errors (default: a warning at most every 10 s). */
  onError?: (err: Error) => void
}

const PROCESSOR_FILE = fileURLToPath(new URL('../sandbox/job-processor.js', import.meta.url))

/**
 * A worker pool on BullMQ (Redis): jobs, their status, progress, result and error live in Redis,
 * so any server instance answers for any job, also after a restart; `chariots worker <module>`
 * processes run them. Job bodies started with `startWorkers({ appModule })` run in a sandbox
 * (worker threads, or child processes), so a CPU-heavy training cannot starve the lock; a worker
 * that dies has its job picked up again by another worker (stalled-job recovery).
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
  private readonly redis: RedisOptions
  private readonly options: RQWorkerPoolOptions
  private readonly timeoutMs: number
  private client: Redis | undefined
  private queue: Queue<JobData, JobResult> | undefined
  private events: Promise<QueueEvents> | undefined
  private readonly workers = new Set<Worker>()
  private readonly pendingWaits = new Set<(err: Error) => void>()
  private workerCount: { value: number; at: number } | undefined
  private countInFlight: Promise<number> | undefined
  private closed = false
  private lastWarning = 0

  constructor(options: RQWorkerPoolOptions) {
    super()
    this.options = options
    this.queueName = options.queueName ?? 'chariots'
    this.redis = redisOptionsOf(options.connection)
    this.timeoutMs = options.commandTimeoutMs ?? 2_000
  }

  /** Live workers on the queue, in any process (Redis `CLIENT LIST`, cached briefly). */
  async nWorkers(): Promise<number> {
    if (this.closed) return 0
    const cached = this.workerCount
    if (cached && Date.now() - cached.at < (this.options.workerCountCacheMs ?? 1_000)) return cached.value
    this.countInFlight ??= withDeadline(
      this.getQueue().getWorkersCount(),
      this.timeoutMs,
      ErrorCode.NO_WORKER_ALIVE,
      `cannot reach Redis at ${describeRedis(this.redis)} to find workers of queue '${this.queueName}'`,
    )
      .then((n) => {
        // Only a positive count is cached: a worker that just started is seen at once.
        this.workerCount = n > 0 ? { value: n, at: Date.now() } : undefined
        return n
      })
      .finally(() => {
        this.countInFlight = undefined
      })
    return this.countInFlight
  }

  /** Starts one BullMQ worker in this process (concurrency 1) running jobs of the attached app. */
  async spawnWorker(): Promise<WorkerHandle> {
    const host = this.requireHost()
    return this.startWorker((job) => processJob(host, job), 1, {})
  }

  /**
   * Starts one BullMQ worker with `concurrency` job slots. With `appModule` (what `chariots worker`
   * passes) job bodies run in worker threads that import the app module (or BullMQ sandbox child
   * processes with `useWorkerThreads: false`), so this process's event loop only fetches, renews
   * locks and completes jobs: a CPU-bound job cannot lose its lock. Rejects when the module cannot
   * be loaded. Without `appModule`, job bodies run in this process on the attached app.
   */
  override async startWorkers(options: StartWorkersOptions = {}): Promise<WorkerHandle> {
    const concurrency = options.concurrency ?? 1
    if (!options.appModule) {
      const host = this.requireHost()
      return this.startWorker((job) => processJob(host, job), concurrency, {})
    }
    const appModule = resolve(options.appModule)
    const tsxApi = resolveTsxApi(appModule)
    // Job threads build the app's host once each and load per job: no start-up load there.
    const env = {
      ...process.env,
      [APP_MODULE_ENV]: appModule,
      CHARIOTS_AUTOLOAD: '0',
      ...(tsxApi ? { [TSX_API_ENV]: tsxApi } : {}),
    }
    if (this.options.useWorkerThreads === false) {
      return this.startWorker(PROCESSOR_FILE, concurrency, { workerForkOptions: { env } })
    }
    const size = this.options.threads ?? Math.min(concurrency, availableParallelism())
    const threads = new JobThreadPool(appModule, Math.max(1, size), env, (err) => this.warn(err))
    try {
      await threads.start()
      const handle = await this.startWorker((job) => threads.run(job), concurrency, {})
      return {
        close: async () => {
          await handle.close()
          await threads.close()
        },
      }
    } catch (err) {
      await threads.close()
      throw err
    }
  }

  async executePipelineAsync(pipeline: Pipeline, input: unknown, host?: PipelineHost): Promise<string> {
    if (host && !this.host) this.attach(host)
    if ((await this.nWorkers()) === 0) {
      throw new ChariotsError(
        ErrorCode.NO_WORKER_ALIVE,
        `no worker is alive on queue '${this.queueName}' at ${describeRedis(this.redis)}; start one with 'chariots worker <app module>'`,
      )
    }
    const jobId = newJobId()
    const age = this.options.jobRetention?.ageSeconds ?? 86_400
    const count = this.options.jobRetention?.count
    const keep = count === undefined ? { age } : { age, count }
    const backoff = this.options.backoff
    await withDeadline(
      this.getQueue().add(
        pipeline.name,
        { pipelineName: pipeline.name, input },
        {
          jobId,
          attempts: this.options.attempts ?? 1,
          ...(backoff === undefined ? {} : { backoff }),
          removeOnComplete: keep,
          removeOnFail: keep,
        },
      ),
      this.timeoutMs,
      ErrorCode.NO_WORKER_ALIVE,
      `cannot queue a job of pipeline '${pipeline.name}' in Redis at ${describeRedis(this.redis)}`,
    )
    return jobId
  }

  async getPipelineResponseForId(jobId: string): Promise<JobResponse> {
    if (!isValidJobId(jobId)) throw this.notFound(jobId)
    return withDeadline(
      this.readJob(jobId),
      this.timeoutMs,
      ErrorCode.BACKEND_UNAVAILABLE,
      `cannot read job ${jobId} from Redis at ${describeRedis(this.redis)}`,
    )
  }

  /**
   * Resolves as soon as the job ends: it listens to the queue's events (BullMQ `QueueEvents`), then
   * reads the job once, so a job that ended before the listener started is seen too.
   */
  override async waitForJob(jobId: string, timeoutMs: number): Promise<JobResponse> {
    if (!isValidJobId(jobId)) throw this.notFound(jobId)
    if (timeoutMs <= 0) return this.getPipelineResponseForId(jobId)
    const events = await withDeadline(
      this.getEvents(),
      this.timeoutMs,
      ErrorCode.BACKEND_UNAVAILABLE,
      `cannot listen to job events in Redis at ${describeRedis(this.redis)}`,
    )
    const emitter = events as unknown as EventEmitter // per-job event names are not in its typed map
    return new Promise<JobResponse>((resolvePromise, rejectPromise) => {
      let settled = false
      const cleanup = () => {
        settled = true
        clearTimeout(timer)
        emitter.off(`completed:${jobId}`, onEvent)
        emitter.off(`failed:${jobId}`, onEvent)
        this.pendingWaits.delete(fail)
      }
      const done = (response: JobResponse) => {
        if (settled) return
        cleanup()
        resolvePromise(response)
      }
      const fail = (err: Error) => {
        if (settled) return
        cleanup()
        rejectPromise(err)
      }
      const check = () =>
        this.getPipelineResponseForId(jobId).then((r) => {
          if (isFinished(r.status)) done(r)
        }, fail)
      const onEvent = () => void check()
      emitter.on(`completed:${jobId}`, onEvent)
      emitter.on(`failed:${jobId}`, onEvent)
      this.pendingWaits.add(fail)
      const timer = setTimeout(() => void this.getPipelineResponseForId(jobId).then(done, fail), timeoutMs)
      void check()
    })
  }

  /** Stops this process's workers (running jobs finish), then closes every connection it opened. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const fail of [...this.pendingWaits]) {
      fail(
        new ChariotsError(
          ErrorCode.BACKEND_UNAVAILABLE,
          `the RQWorkerPool of queue '${this.queueName}' was closed`,
        ),
      )
    }
    await Promise.all([...this.workers].map((w) => this.closeBull(w)))
    this.workers.clear()
    const events = this.events
    this.events = undefined
    await Promise.all([
      (async () => {
        if (!events) return
        // QueueEvents may still be waiting for Redis to open: do not wait for it forever.
        const ready = await Promise.race([events.catch(() => undefined), sleep(100).then(() => undefined)])
        if (ready) await this.closeBull(ready)
        else void events.then((e) => this.closeBull(e)).catch(() => undefined)
      })(),
      this.queue && this.closeBull(this.queue),
    ])
    if (this.client) await this.client.quit().catch(() => this.client?.disconnect())
  }

  private async startWorker(
    processor: string | Processor<JobData, JobResult>,
    concurrency: number,
    extra: Partial<WorkerOptions>,
  ): Promise<WorkerHandle> {
    if (this.closed)
      throw new ChariotsError(
        ErrorCode.NO_WORKER_ALIVE,
        `the RQWorkerPool of queue '${this.queueName}' is closed`,
      )
    const worker = new Worker<JobData, JobResult>(this.queueName, processor, {
      connection: this.blockingOptions(),
      ...(this.options.prefix ? { prefix: this.options.prefix } : {}),
      concurrency,
      name: `${hostname()}-${process.pid}`,
      lockDuration: this.options.lockDuration ?? 30_000,
      stalledInterval: this.options.stalledInterval ?? 30_000,
      maxStalledCount: this.options.maxStalledCount ?? 1,
      ...extra,
    })
    worker.on('error', (err) => this.warn(err))
    this.workers.add(worker)
    await worker.waitUntilReady()
    this.workerCount = undefined
    let open = true
    return {
      close: async () => {
        if (!open) return
        open = false
        this.workers.delete(worker)
        await this.closeBull(worker)
        this.workerCount = undefined
      },
    }
  }

  /**
   * Closes a BullMQ worker, queue or event reader, letting running jobs finish. BullMQ's close waits
   * on connections that retry forever while Redis is down: then their clients are stopped instead
   * (a job left running is recovered by the stalled-job check once Redis is back).
   */
  private async closeBull(target: Worker | Queue | QueueEvents): Promise<void> {
    const closing = target.close().then(
      () => true,
      () => true,
    )
    const within = (ms: number) => Promise.race([closing, sleep(ms).then(() => false)])
    while (!(await within(1_000))) {
      if (await this.redisReachable()) continue
      await stopReconnecting(target)
      await within(1_000)
      return
    }
  }

  /** Whether Redis answers PING within the command timeout (a connection of its own). */
  private async redisReachable(): Promise<boolean> {
    const probe = new Redis({
      ...this.redis,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: this.timeoutMs,
      commandTimeout: this.timeoutMs,
    })
    probe.on('error', () => undefined)
    try {
      await probe.connect()
      return (await probe.ping()) === 'PONG'
    } catch {
      return false
    } finally {
      probe.disconnect()
    }
  }

  private getQueue(): Queue<JobData, JobResult> {
    if (this.closed)
      throw new ChariotsError(
        ErrorCode.BACKEND_UNAVAILABLE,
        `the RQWorkerPool of queue '${this.queueName}' is closed`,
      )
    if (!this.queue) {
      // The server's own connection fails fast while Redis is down (no offline queue, a command
      // timeout) so a request answers 503 instead of hanging.
      this.client = new Redis({
        ...this.redis,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: this.timeoutMs,
        connectTimeout: Math.max(this.timeoutMs, 1_000),
      })
      this.client.on('error', (err) => this.warn(err))
      this.queue = new Queue<JobData, JobResult>(this.queueName, {
        connection: this.client,
        ...(this.options.prefix ? { prefix: this.options.prefix } : {}),
      })
      this.queue.on('error', (err) => this.warn(err))
    }
    return this.queue
  }

  private getEvents(): Promise<QueueEvents> {
    this.events ??= this.openEvents().catch((err) => {
      this.events = undefined
      throw err
    })
    return this.events
  }

  private async openEvents(): Promise<QueueEvents> {
    const queue = this.getQueue()
    await queue.waitUntilReady()
    // Start reading after the last event already in the stream: no event between this read and the
    // first blocking read of QueueEvents is missed (its default, '$', would skip them).
    const last = await this.client!.xrevrange(queue.keys.events!, '+', '-', 'COUNT', 1)
    const events = new QueueEvents(this.queueName, {
      connection: this.blockingOptions(),
      ...(this.options.prefix ? { prefix: this.options.prefix } : {}),
      lastEventId: last[0]?.[0] ?? '0-0',
    })
    events.setMaxListeners(0) // one pair of listeners per pending waitForJob
    events.on('error', (err) => this.warn(err))
    await events.waitUntilReady()
    return events
  }

  /** Options of the connections BullMQ opens (and closes) itself for workers and QueueEvents. */
  private blockingOptions(): ConnectionOptions {
    return { ...this.redis, maxRetriesPerRequest: null } as ConnectionOptions
  }

  private async readJob(jobId: string): Promise<JobResponse> {
    const queue = this.getQueue()
    // The state first: a job read after it says 'completed' has its return value.
    const status = toJobStatus(await queue.getJobState(jobId))
    const job = status === null ? undefined : await queue.getJob(jobId)
    if (status === null || !job) throw this.notFound(jobId)
    const result = status === 'done' ? (job.returnvalue as JobResult | null) : null
    return {
      jobId,
      pipelineName: job.data?.pipelineName ?? job.name ?? null,
      status,
      value: result?.value ?? null,
      versions: result?.versions ?? {},
      progress: normalizeProgress(job.progress),
      error:
        status === 'failed' ? fromFailedReason(job.failedReason, this.options.maxStalledCount ?? 1) : null,
    }
  }

  private notFound(jobId: string): ChariotsError {
    const hours = Math.round((this.options.jobRetention?.ageSeconds ?? 86_400) / 3600)
    return new ChariotsError(
      ErrorCode.JOB_NOT_FOUND,
      `no job '${String(jobId).slice(0, 100)}' on queue '${this.queueName}' (finished jobs are kept ${hours} h)`,
    )
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
      `[chariots] RQWorkerPool '${this.queueName}' (Redis ${describeRedis(this.redis)}): ${err.message}`,
    )
  }
}

/**
 * Stops the Redis clients of a BullMQ object from reconnecting, so one closed while Redis is down
 * does not keep the process alive. Its `disconnect()` cannot: it waits for an 'end' event that ioredis
 * never sends while it is between reconnection attempts. Uses the backend's documented Redis
 * escape hatch (`client`, `blockingClient`).
 */
async function stopReconnecting(target: Worker | Queue | QueueEvents): Promise<void> {
  type Client = { disconnect(): void } | undefined
  const backend = target.getBackend() as unknown as {
    client?: Promise<Client>
    blockingClient?: Promise<Client>
  }
  for (const client of [backend.client, backend.blockingClient]) {
    try {
      ;(await client)?.disconnect()
    } catch {
      // a client that never connected has nothing to stop
    }
  }
}
