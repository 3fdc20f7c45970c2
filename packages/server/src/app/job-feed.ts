import { type BaseWorkerPool, isFinished, type JobResponse } from '@chariots/workers'
import { jobToWire } from '../wire/job-to-wire.js'

/** One event of a job stream: the job's state when its status or progress changed. */
export interface JobEvent {
  /** Save order within the job's stream (`id:` of `GET /jobs/:id/events`). */
  readonly id: number
  /** Order among every event of this server (`id:` of `GET /events`). */
  readonly globalId: number
  /** The job's status (`queued`, `running`, `done`, `failed`, `deferred`), or `plan` for a plan run. */
  readonly event: string
  readonly jobId: string | null
  /** The job as `POST /jobs/fetch/` answers it, plus its pipeline. */
  readonly data: Record<string, unknown>
}

/** A pool that can also tell about every job (added on some pools; used when there). */
interface PoolWideWatch {
  watchJobs?: (listener: (job: JobResponse) => void) => () => void
}

/** Options of a {@link JobFeed}. */
export interface JobFeedOptions {
  /** Jobs whose events are kept for replay (default 1,000; the oldest finished go first). */
  maxJobs?: number
  /** Events kept per job (default 500; the first, `queued`, always stays). */
  maxEventsPerJob?: number
  /** Events kept for `GET /events` replay (default 2,000). */
  maxGlobalEvents?: number
}

interface JobLog {
  readonly events: JobEvent[]
  key: string
  finished: boolean
  stop: (() => void) | null
  readonly listeners: Set<(event: JobEvent) => void>
}

type Listener = (event: JobEvent) => void

/**
 * The job events this server knows, for the SSE routes: one `watchJob` per job (however many
 * clients follow it), each change of status or progress recorded with an id so a client that
 * reconnects with `Last-Event-ID` gets what it missed, and every event of the app in one ring for
 * `GET /events`. Jobs this server enqueued are recorded from their queueing (`track`); other jobs
 * from the first time a client asks for them, or from the pool's `watchJobs` when it has one.
 *
 * @example
 * ```ts
 * const feed = new JobFeed(pool)
 * feed.track(jobId)
 * const stop = feed.subscribeJob(jobId, 0, (event) => console.log(event.event, event.data.progress))
 * ```
 */
export class JobFeed {
  readonly #pool: BaseWorkerPool | undefined
  readonly #jobs = new Map<string, JobLog>()
  readonly #global: JobEvent[] = []
  readonly #globalListeners = new Set<Listener>()
  readonly #maxJobs: number
  readonly #maxEvents: number
  readonly #maxGlobal: number
  readonly #onClose = new Set<() => void>()
  #globalId = 0
  #poolWide: (() => void) | null = null
  #closed = false

  constructor(pool: BaseWorkerPool | undefined, options: JobFeedOptions = {}) {
    this.#pool = pool
    this.#maxJobs = options.maxJobs ?? 1_000
    this.#maxEvents = options.maxEventsPerJob ?? 500
    this.#maxGlobal = options.maxGlobalEvents ?? 2_000
  }

  /** Starts recording a job (the server just enqueued it); idempotent. */
  track(jobId: string): void {
    const log = this.#log(jobId)
    if (log.stop || log.finished || !this.#pool || this.#closed) return
    log.stop = this.#pool.watchJob(
      jobId,
      (job) => this.record(job),
      () => {
        log.stop = null
      },
    )
  }

  /** Records a job's state; a state equal to the last one recorded for the job is dropped. */
  record(job: JobResponse): void {
    const log = this.#log(job.jobId)
    if (log.finished) return
    const key = JSON.stringify([job.status, job.progress])
    if (key === log.key) return
    log.key = key
    const data = { ...jobToWire(job), pipeline: job.pipelineName }
    const event = this.#push(log, job.status, job.jobId, data)
    if (isFinished(job.status)) {
      log.finished = true
      log.stop?.()
      log.stop = null
    }
    for (const listener of log.listeners) listener(event)
  }

  /** Publishes an event that is not a job's (a plan run's progress) on `GET /events`. */
  publish(event: string, data: Record<string, unknown>): void {
    this.#pushGlobal({ id: 0, globalId: ++this.#globalId, event, jobId: null, data })
  }

  /**
   * Follows one job: replays its events after `afterId` (all of them for null), then each new one.
   * A `afterId` beyond what this server recorded (another instance's id, a restart) replays the
   * latest event, so the client always learns the current state. Answers the unsubscribe.
   */
  subscribeJob(jobId: string, afterId: number | null, listener: Listener): () => void {
    const log = this.#log(jobId)
    const last = log.events.at(-1)
    const replay =
      afterId !== null && last && afterId > last.id ? [last] : log.events.filter((e) => e.id > (afterId ?? 0))
    for (const event of replay) listener(event)
    log.listeners.add(listener)
    this.track(jobId)
    return () => log.listeners.delete(listener)
  }

  /** Whether the job finished and nothing is left to replay after `afterId`. */
  isDrained(jobId: string, afterId: number | null): boolean {
    const log = this.#jobs.get(jobId)
    const last = log?.events.at(-1)
    return log?.finished === true && last !== undefined && afterId !== null && afterId === last.id
  }

  /**
   * Follows every job: replays the events after `afterId`, or (null) the latest event of each
   * recent job, then each new one. Starts the pool's `watchJobs` when it has one.
   */
  subscribeAll(afterId: number | null, listener: Listener): () => void {
    this.#startPoolWide()
    const replay = afterId === null ? this.#latestPerJob() : this.#global.filter((e) => e.globalId > afterId)
    for (const event of replay) listener(event)
    this.#globalListeners.add(listener)
    return () => this.#globalListeners.delete(listener)
  }

  /** Stops every watch; streams end (their listeners get nothing more). */
  close(): void {
    this.#closed = true
    this.#poolWide?.()
    this.#poolWide = null
    for (const log of this.#jobs.values()) {
      log.stop?.()
      log.stop = null
      log.listeners.clear()
    }
    this.#globalListeners.clear()
    for (const end of this.#onClose) end()
    this.#onClose.clear()
  }

  /** Calls `end` when the feed closes (open streams end then); answers the unsubscribe. */
  onClose(end: () => void): () => void {
    this.#onClose.add(end)
    return () => this.#onClose.delete(end)
  }

  #startPoolWide(): void {
    const watchJobs = (this.#pool as PoolWideWatch | undefined)?.watchJobs
    if (this.#poolWide || !watchJobs || this.#closed) return
    this.#poolWide = watchJobs.call(this.#pool, (job) => this.record(job))
  }

  #latestPerJob(): JobEvent[] {
    const latest: JobEvent[] = []
    for (const log of this.#jobs.values()) {
      const last = log.events.at(-1)
      if (last) latest.push(last)
    }
    return latest.sort((a, b) => a.globalId - b.globalId).slice(-50)
  }

  #log(jobId: string): JobLog {
    let log = this.#jobs.get(jobId)
    if (!log) {
      log = { events: [], key: '', finished: false, stop: null, listeners: new Set() }
      this.#jobs.set(jobId, log)
      this.#evictJobs()
    }
    return log
  }

  #push(log: JobLog, event: string, jobId: string, data: Record<string, unknown>): JobEvent {
    const id = (log.events.at(-1)?.id ?? 0) + 1
    const entry: JobEvent = { id, globalId: ++this.#globalId, event, jobId, data }
    log.events.push(entry)
    if (log.events.length > this.#maxEvents) log.events.splice(1, 1)
    this.#pushGlobal(entry)
    return entry
  }

  #pushGlobal(event: JobEvent): void {
    this.#global.push(event)
    if (this.#global.length > this.#maxGlobal) this.#global.shift()
    for (const listener of this.#globalListeners) listener(event)
  }

  /** Forgets the oldest finished jobs nobody follows beyond `maxJobs`. */
  #evictJobs(): void {
    if (this.#jobs.size <= this.#maxJobs) return
    for (const [jobId, log] of this.#jobs) {
      if (this.#jobs.size <= this.#maxJobs) return
      if (log.finished && log.listeners.size === 0) this.#jobs.delete(jobId)
    }
  }
}
