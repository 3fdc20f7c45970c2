import { isFinished } from '../job/job-status.js'
import type { JobResponse } from '../job/job-types.js'

type Listener = (job: JobResponse) => void

/**
 * The listeners of a pool that knows each change of its jobs as it happens (the in-process pool):
 * per job, until the job is finished, and pool-wide. A listener that throws is dropped, so one
 * broken listener does not stop the pool or the others.
 *
 * @example
 * ```ts
 * const watchers = new JobWatchers()
 * const stop = watchers.watch(jobId, (job) => console.log(job.status))
 * watchers.notify(response) // on every change of status or progress
 * ```
 */
export class JobWatchers {
  private readonly byJob = new Map<string, Set<Listener>>()
  private readonly all = new Set<Listener>()

  /** Calls `listener` on each change of the job until it is finished; answers a stop function. */
  watch(jobId: string, listener: Listener): () => void {
    const set = this.byJob.get(jobId) ?? new Set<Listener>()
    this.byJob.set(jobId, set)
    set.add(listener)
    return () => {
      set.delete(listener)
      if (set.size === 0 && this.byJob.get(jobId) === set) this.byJob.delete(jobId)
    }
  }

  /** Calls `listener` on each change of any job; answers a stop function. */
  watchAll(listener: Listener): () => void {
    this.all.add(listener)
    return () => void this.all.delete(listener)
  }

  /** Tells the job's listeners and the pool-wide ones; a finished job's listeners are then dropped. */
  notify(job: JobResponse): void {
    const own = this.byJob.get(job.jobId)
    if (own && isFinished(job.status)) this.byJob.delete(job.jobId)
    if (!own && this.all.size === 0) return
    for (const listener of [...(own ?? []), ...this.all]) {
      try {
        listener(snapshot(job))
      } catch {
        own?.delete(listener)
        this.all.delete(listener)
      }
    }
  }
}

/** A copy the listener may keep or change without touching the pool's record. */
export function snapshot(response: JobResponse): JobResponse {
  return { ...response, versions: { ...response.versions }, error: response.error && { ...response.error } }
}
