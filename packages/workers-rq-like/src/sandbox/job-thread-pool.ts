import { fileURLToPath } from 'node:url'
import { Worker as Thread } from 'node:worker_threads'
import { ChariotsError, ErrorCode, type Progress } from '@chariots/core'
import type { JobData, JobError, JobResult } from '@chariots/workers'
import { bullFailureOf, toBullFailure } from '../job/job-failure.js'
import type { ThreadRequest, ThreadResponse } from './job-thread-messages.js'

const THREAD_FILE = fileURLToPath(new URL('./job-thread.js', import.meta.url))

/** What the pool needs of a BullMQ job. */
export interface ThreadJob {
  id?: string | undefined
  data: JobData
  updateProgress(progress: Progress): Promise<void>
}

interface Pending {
  job: ThreadJob
  resolve(result: JobResult): void
  reject(err: Error): void
  /** Progress writes of this job, in order; the job completes after them. */
  progress: Promise<void>
}

interface Slot {
  thread: Thread
  ready: Promise<void>
  pending: Map<number, Pending>
  dead: boolean
}

/**
 * A few worker threads that each import the app module once and run job bodies, several at a time.
 * The BullMQ worker keeps its event loop (lock renewal, fetching, completing) in the worker process;
 * a CPU-bound job body only blocks its thread. Fewer threads than job slots (one per core by
 * default) keep context switches and memory down; a thread that dies fails its jobs with
 * `WORKER_DIED` and is replaced for the next job.
 */
export class JobThreadPool {
  private readonly slots: Slot[] = []
  private nextId = 0
  private closed = false

  constructor(
    private readonly appModule: string,
    private readonly size: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly warn: (err: Error) => void,
  ) {}

  /** Starts the threads; rejects when the app module cannot be loaded. */
  async start(): Promise<void> {
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn())
    await Promise.all(this.slots.map((s) => s.ready))
  }

  /** Runs a job in the least busy thread. */
  async run(job: ThreadJob): Promise<JobResult> {
    const index = this.leastBusy()
    let slot = this.slots[index]!
    if (slot.dead) {
      slot = this.spawn()
      this.slots[index] = slot
    }
    try {
      await slot.ready
    } catch (err) {
      throw toBullFailure(err) // the app module no longer loads: fail the job with that reason
    }
    if (slot.dead)
      throw bullFailureOf({
        code: 'WORKER_DIED',
        message: 'the worker thread for the job exited before it started',
      })
    const id = ++this.nextId
    return new Promise<JobResult>((resolve, reject) => {
      slot.pending.set(id, { job, resolve, reject, progress: Promise.resolve() })
      const request: ThreadRequest = {
        id,
        jobId: job.id ?? '',
        data: { pipelineName: job.data.pipelineName, input: job.data.input },
      }
      try {
        slot.thread.postMessage(request)
      } catch (err) {
        slot.pending.delete(id)
        reject(
          bullFailureOf({
            code: ErrorCode.INVALID_INPUT,
            message: `the job input cannot be sent to a worker thread: ${(err as Error).message}`,
          }),
        )
      }
    })
  }

  /** Stops every thread (call it once no job runs). */
  async close(): Promise<void> {
    this.closed = true
    await Promise.all(this.slots.map((s) => s.thread.terminate()))
  }

  private leastBusy(): number {
    let best = 0
    for (let i = 1; i < this.slots.length; i++) {
      if (this.slots[i]!.pending.size < this.slots[best]!.pending.size) best = i
    }
    return best
  }

  private spawn(): Slot {
    const thread = new Thread(THREAD_FILE, { workerData: { appModule: this.appModule }, env: this.env })
    const pending = new Map<number, Pending>()
    let settleReady: { resolve(): void; reject(err: Error): void } | undefined
    const ready = new Promise<void>((resolve, reject) => {
      settleReady = { resolve, reject }
    })
    ready.catch(() => undefined) // a spare thread that fails to start is reported by run()
    const slot: Slot = { thread, ready, pending, dead: false }
    thread.on('message', (message: ThreadResponse) => {
      if (message.type === 'ready') return settleReady?.resolve()
      if (message.type === 'init-failed') {
        slot.dead = true
        void thread.terminate()
        return settleReady?.reject(new ChariotsError(message.error.code, message.error.message))
      }
      const entry = pending.get(message.id)
      if (!entry) return
      if (message.type === 'progress') {
        entry.progress = entry.progress
          .then(() => entry.job.updateProgress(message.progress))
          .catch((err) => this.warn(err as Error))
        return
      }
      pending.delete(message.id)
      if (message.type === 'done') void entry.progress.then(() => entry.resolve(message.result))
      else void entry.progress.then(() => entry.reject(bullFailureOf(message.error)))
    })
    const die = (why: string) => {
      if (slot.dead && pending.size === 0) return
      slot.dead = true
      const error: JobError = { code: 'WORKER_DIED', message: `the worker thread running the job ${why}` }
      settleReady?.reject(new ChariotsError(error.code, error.message))
      for (const entry of pending.values()) entry.reject(bullFailureOf(error))
      pending.clear()
    }
    thread.on('error', (err) => die(`crashed: ${err.message}`))
    thread.on('exit', (code) => {
      if (!this.closed) die(`exited (code ${code})`)
    })
    return slot
  }
}
