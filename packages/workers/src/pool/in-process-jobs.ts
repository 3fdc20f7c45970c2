import type { PipelineHost } from '@chariots/core'
import type { JobResponse } from '../job/job-types.js'

/** A job of the in-process pool, as it keeps it. */
export interface InProcessJob {
  response: JobResponse
  /** Dropped once the job started or finished (the running body holds its own reference). */
  input: unknown
  readonly inputBytes: number
  readonly host: PipelineHost
  readonly timeoutMs: number
  /** The bytes of the result as JSON, once finished. */
  resultBytes: number
}

/** How long finished jobs stay readable. */
export interface FinishedJobLimits {
  maxFinishedJobs: number
  maxFinishedBytes: number
  finishedJobTtlMs: number
}

/**
 * The job records of an {@link InProcessWorkerPool}: every job until it is finished, then the
 * finished ones while they fit in the count, the byte total of their results and the TTL (the
 * oldest go first; the newest finished job is always kept, so its result can be read once).
 */
export class InProcessJobs {
  private readonly jobs = new Map<string, InProcessJob>()
  /** Finished job ids in the order they finished, with when. */
  private readonly finished = new Map<string, number>()
  private finishedBytes = 0

  constructor(private readonly limits: FinishedJobLimits) {}

  add(jobId: string, job: InProcessJob): void {
    this.jobs.set(jobId, job)
    this.prune()
  }

  /** The job, unless it is unknown or was forgotten. */
  get(jobId: string): InProcessJob | undefined {
    this.prune()
    return this.jobs.get(jobId)
  }

  /** Records that the job finished (its result counted by `resultBytes`), then prunes. */
  finish(jobId: string): void {
    const job = this.jobs.get(jobId)
    if (!job || this.finished.has(jobId)) return
    job.input = undefined
    this.finished.set(jobId, Date.now())
    this.finishedBytes += job.resultBytes
    this.prune()
  }

  /** Forgets the oldest finished jobs past the count, the bytes or the TTL. */
  private prune(): void {
    const oldestAllowed = Date.now() - this.limits.finishedJobTtlMs
    for (const [jobId, at] of this.finished) {
      const over =
        this.finished.size > this.limits.maxFinishedJobs ||
        (this.finishedBytes > this.limits.maxFinishedBytes && this.finished.size > 1) ||
        at < oldestAllowed
      if (!over) break
      this.finished.delete(jobId)
      this.finishedBytes -= this.jobs.get(jobId)?.resultBytes ?? 0
      this.jobs.delete(jobId)
    }
  }
}
