import { ErrorCode } from '@chariots/core'
import { type JobError, type JobResult, jobTimeoutError, toJobError } from '@chariots/workers'
import type { JobOutcome } from '../job/job-body.js'
import { bullFailureOf, toBullFailure } from '../job/job-failure.js'
import type { QueuedJob } from '../job/queued-job.js'
import type { JobRunner } from './job-runner.js'

/** A job being run, and how to end it early. */
interface Busy {
  readonly job: QueuedJob
  end(outcome: JobOutcome): void
}

/**
 * `size` job runners (threads, child processes, or this process), each running one job at a time:
 * a job that times out, exits or runs out of memory ends only its own runner, which is replaced
 * (at once, so the next job does not wait for an app module to load). The BullMQ worker's
 * concurrency equals `size`, so a job always finds a runner, at worst one still starting.
 *
 * @example
 * ```ts
 * const runners = new JobRunnerPool(2, () => new LocalRunner(host), console.warn)
 * await runners.start()
 * const result = await runners.run(job, 60_000) // throws the job's failure in the form BullMQ stores
 * ```
 */
export class JobRunnerPool {
  private readonly idle: JobRunner[] = []
  private readonly busy = new Map<JobRunner, Busy>()
  private readonly waiting: (() => void)[] = []
  private readonly discarded = new WeakSet<JobRunner>()
  /** Runners idle, busy or starting. */
  private live = 0
  private closed = false

  constructor(
    private readonly size: number,
    private readonly makeRunner: () => JobRunner,
    private readonly warn: (err: Error) => void,
  ) {}

  /** Starts every runner; rejects (and stops them) when the app module does not load. */
  async start(): Promise<void> {
    const runners = Array.from({ length: this.size }, () => this.makeRunner())
    this.live = runners.length
    try {
      await Promise.all(runners.map((r) => r.ready))
    } catch (err) {
      await Promise.all(runners.map((r) => r.stop()))
      this.live = 0
      throw err
    }
    this.idle.push(...runners)
  }

  /**
   * Runs the job in an idle runner, for at most `timeoutMs` (0: no limit): resolves its result, or
   * throws its failure as {@link toBullFailure} words it (`TIMEOUT`, `WORKER_DIED`, the body's error).
   */
  async run(job: QueuedJob, timeoutMs: number): Promise<JobResult> {
    const runner = await this.acquire()
    const jobId = job.id ?? ''
    let progress = Promise.resolve()
    const onProgress = (p: Parameters<QueuedJob['updateProgress']>[0]) => {
      // In order, and the job completes after them; a lost progress write only warns.
      progress = progress.then(() => job.updateProgress(p)).catch((err: Error) => this.warn(err))
    }
    let timer: NodeJS.Timeout | undefined
    const outcome = await new Promise<JobOutcome>((end) => {
      this.busy.set(runner, { job, end })
      void runner
        .run({ jobId, data: { pipelineName: job.data.pipelineName, input: job.data.input } }, onProgress)
        .then(end)
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          end({
            ok: false,
            error: toJobError(jobTimeoutError(jobId, job.data.pipelineName, timeoutMs, runner.stoppable)),
          })
          void this.discard(runner)
        }, timeoutMs)
      }
    })
    clearTimeout(timer)
    this.busy.delete(runner)
    if (runner.dead) void this.discard(runner)
    else this.release(runner)
    await progress
    if (!outcome.ok) throw bullFailureOf(outcome.error)
    return outcome.result
  }

  /** Ends every running job with `errorOf(job)` and stops its runner (the shutdown grace is over). */
  async abortAll(errorOf: (job: QueuedJob) => JobError): Promise<void> {
    const stopping: Promise<void>[] = []
    for (const [runner, busy] of [...this.busy]) {
      busy.end({ ok: false, error: errorOf(busy.job) })
      stopping.push(this.discard(runner))
    }
    await Promise.all(stopping)
  }

  /** Stops every runner (call it once no job runs, or after `abortAll`). */
  async close(): Promise<void> {
    this.closed = true
    for (const wake of this.waiting.splice(0)) wake()
    await Promise.all([...this.idle.splice(0), ...this.busy.keys()].map((r) => r.stop()))
  }

  /** An idle runner; waits for one, or starts one when fewer than `size` are live. */
  private async acquire(): Promise<JobRunner> {
    for (;;) {
      if (this.closed)
        throw bullFailureOf({ code: ErrorCode.WORKER_SHUTDOWN, message: 'the worker is shutting down' })
      const runner = this.idle.pop()
      if (runner && !runner.dead) return runner
      if (runner) {
        await this.discard(runner) // died while idle
        continue
      }
      if (this.live < this.size) {
        this.live++
        const fresh = this.makeRunner()
        try {
          await fresh.ready
        } catch (err) {
          this.live--
          throw toBullFailure(err) // the app module no longer loads: fail the job with that reason
        }
        return fresh
      }
      await new Promise<void>((wake) => this.waiting.push(wake))
    }
  }

  private release(runner: JobRunner): void {
    this.idle.push(runner)
    this.waiting.shift()?.()
  }

  /** Stops a runner whose job ended early (or that died), once, and starts its replacement. */
  private async discard(runner: JobRunner): Promise<void> {
    if (this.discarded.has(runner)) return
    this.discarded.add(runner)
    this.busy.delete(runner)
    await runner.stop()
    this.live--
    if (this.closed || this.live >= this.size) return
    this.live++
    const fresh = this.makeRunner()
    fresh.ready.then(
      () => (this.closed ? void fresh.stop() : this.release(fresh)),
      (err: Error) => {
        this.live--
        this.warn(err)
        this.waiting.shift()?.() // a waiting job starts one itself and fails with the reason
      },
    )
  }
}
