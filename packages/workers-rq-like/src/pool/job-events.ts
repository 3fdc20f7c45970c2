import type { EventEmitter } from 'node:events'
import { isFinished, type JobResponse } from '@chariots/workers'
import type { QueueEvents } from 'bullmq'
import { bullmq } from '../redis/bull-modules.js'
import { QueueBase, type QueueSettings } from './queue-base.js'

/** The queue events that can change what a job answers. */
const JOB_EVENTS = ['waiting', 'active', 'progress', 'completed', 'failed', 'stalled', 'delayed'] as const

/** How often a watched job is read with no event: `workerLost` comes from a lock expiring, which sends none. */
const WATCH_POLL_MS = 1_000

/** What the event reader needs of the producer. */
export interface JobReader {
  read(jobId: string): Promise<JobResponse>
  lastEventId(): Promise<string>
}

/**
 * The event role of an {@link RQWorkerPool} (BullMQ's `QueueEvents`): one reader of the queue's
 * event stream per pool, started after the last event already in it, so nothing between its start
 * and its first read is missed. Waits and watches subscribe to a job's events, then read the job,
 * so a job that changed before the subscription is seen too.
 */
export class JobEvents extends QueueBase {
  private events: Promise<QueueEvents> | undefined
  private readonly pending = new Set<(err: Error) => void>()

  constructor(
    settings: QueueSettings,
    private readonly jobs: JobReader,
  ) {
    super(settings)
  }

  /** Resolves as soon as the job ends, or with its state after `timeoutMs`. */
  async waitFor(jobId: string, timeoutMs: number): Promise<JobResponse> {
    if (timeoutMs <= 0) return this.jobs.read(jobId)
    const emitter = await this.emitter()
    return new Promise<JobResponse>((resolve, reject) => {
      let settled = false
      const end = (fn: () => void) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        emitter.off(`completed:${jobId}`, onEvent)
        emitter.off(`failed:${jobId}`, onEvent)
        this.pending.delete(fail)
        fn()
      }
      const fail = (err: Error) => end(() => reject(err))
      const check = () =>
        this.jobs.read(jobId).then((r) => {
          if (isFinished(r.status)) end(() => resolve(r))
        }, fail)
      const onEvent = () => void check()
      emitter.on(`completed:${jobId}`, onEvent)
      emitter.on(`failed:${jobId}`, onEvent)
      this.pending.add(fail)
      const timer = setTimeout(
        () => void this.jobs.read(jobId).then((r) => end(() => resolve(r)), fail),
        timeoutMs,
      )
      void check()
    })
  }

  /**
   * Calls `listener` with the job now, then on each change of status, progress or `workerLost`
   * (woken by the job's events, and read every second for what sends none), the last time when it
   * is done or failed. A failure to read the job goes to `onError`, after which nothing is called.
   */
  watch(jobId: string, listener: (job: JobResponse) => void, onError: (err: Error) => void): () => void {
    let stopped = false
    let last = ''
    let emitter: EventEmitter | undefined
    const stop = () => {
      stopped = true
      clearInterval(timer)
      for (const event of JOB_EVENTS) emitter?.off(`${event}:${jobId}`, read)
      this.pending.delete(fail)
    }
    const fail = (err: Error) => {
      if (stopped) return
      stop()
      onError(err)
    }
    const read = coalesce(async () => {
      if (stopped) return
      const job = await this.jobs.read(jobId).catch(fail)
      if (!job || stopped) return
      const key = JSON.stringify([job.status, job.progress, job.workerLost === true])
      if (key !== last) {
        last = key
        listener(job)
      }
      if (isFinished(job.status)) stop()
    })
    const timer = setInterval(read, WATCH_POLL_MS)
    timer.unref()
    this.pending.add(fail)
    this.emitter().then((e) => {
      if (stopped) return
      emitter = e
      for (const event of JOB_EVENTS) e.on(`${event}:${jobId}`, read)
      read()
    }, fail)
    return stop
  }

  /** Calls `listener` with a job's state on each event of any job of the queue, until stopped. */
  watchAll(listener: (job: JobResponse) => void): () => void {
    let stopped = false
    const readers = new Map<string, () => void>()
    const onEvent = ({ jobId }: { jobId?: string }) => {
      if (stopped || !jobId) return
      let read = readers.get(jobId)
      if (!read) {
        read = coalesce(async () => {
          const job = await this.jobs.read(jobId).catch(() => undefined)
          if (!job || isFinished(job.status)) readers.delete(jobId)
          if (job && !stopped) listener(job)
        })
        readers.set(jobId, read)
      }
      read()
    }
    let emitter: EventEmitter | undefined
    this.emitter().then(
      (e) => {
        if (stopped) return
        emitter = e
        for (const event of JOB_EVENTS) e.on(event, onEvent)
      },
      (err: Error) => this.settings.warn(err),
    )
    return () => {
      stopped = true
      for (const event of JOB_EVENTS) emitter?.off(event, onEvent)
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const fail of [...this.pending]) fail(this.closedError())
    const events = this.events
    this.events = undefined
    if (!events) return
    // QueueEvents may still be waiting for Redis to open: do not wait for it forever.
    const ready = await Promise.race([
      events.catch(() => undefined),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100)),
    ])
    if (ready) await this.closeBull(ready)
    else void events.then((e) => this.closeBull(e)).catch(() => undefined)
  }

  /** The pool's one event reader (per-job event names are not in its typed map). */
  private async emitter(): Promise<EventEmitter> {
    if (this.closed) throw this.closedError()
    this.events ??= this.open().catch((err) => {
      this.events = undefined
      throw err
    })
    return (await this.deadline(this.events, 'cannot listen to job events')) as unknown as EventEmitter
  }

  private async open(): Promise<QueueEvents> {
    const events = new (bullmq().QueueEvents)(this.queueName, {
      connection: this.blockingOptions(),
      ...this.bullOptions(),
      lastEventId: await this.jobs.lastEventId(),
    })
    events.setMaxListeners(0) // one set of listeners per pending wait or watch
    events.on('error', (err) => this.settings.warn(err))
    await events.waitUntilReady()
    return events
  }
}

/** `fn` run one at a time: a call while it runs makes it run once more afterwards. */
function coalesce(fn: () => Promise<void>): () => void {
  let running = false
  let again = false
  const run = async () => {
    if (running) {
      again = true
      return
    }
    running = true
    try {
      do {
        again = false
        await fn()
      } while (again)
    } finally {
      running = false
    }
  }
  return () => void run()
}
