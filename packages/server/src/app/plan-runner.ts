import {
  ChariotsError,
  checkRunnable,
  ErrorCode,
  type LoadResult,
  type PlanStep,
  type Progress,
  type RetrainPlan,
} from '@chariots/core'
import { type BaseWorkerPool, isFinished, type JobError, type JobResponse } from '@chariots/workers'
import type { WireErrorCode } from '../errors/server-error-code.js'
import type { JobFeed } from './job-feed.js'
import { poolOf } from './job-routes.js'
import type { ServedApp } from './served-app.js'

/** One step of a {@link PlanRun}: a worker job of one pipeline. */
export interface PlanRunStep {
  readonly pipeline: string
  readonly kind: PlanStep['kind']
  /** The job, once queued. */
  jobId: string | null
  /** `pending` until queued, then the job's status. */
  jobStatus: string
  progress: Progress | null
  error: JobError | null
}

/** A plan being run (or run) by this server: each step as a worker job, then a load. */
export interface PlanRun {
  readonly id: string
  readonly pipeline: string
  status: 'running' | 'done' | 'failed'
  readonly plan: RetrainPlan
  readonly steps: PlanRunStep[]
  /** The load that ends the run. */
  load: LoadResult | null
  error: { code: string; message: string } | null
  readonly startedAt: string
  endedAt: string | null
}

/** How long one wait for a step's job holds before it asks again. */
const WAIT_CHUNK_MS = 60_000

/**
 * Runs retrain plans as worker jobs, one step after the other (a training job saves what it
 * trained as part of the job), then loads the pipeline. One run per pipeline at a time: asking
 * again while one runs answers that run. Each change is published on the app's `GET /events`
 * (event `plan`), and the jobs are followed there and on `GET /jobs/:id/events`.
 *
 * @example
 * ```ts
 * const run = await runner.start('pred_iris', {})
 * run.steps.map((s) => s.pipeline) // ['train_iris']
 * ```
 */
export class PlanRunner {
  readonly #app: ServedApp
  readonly #feed: JobFeed
  readonly #runs = new Map<string, PlanRun>()
  #count = 0

  constructor(app: ServedApp, feed: JobFeed) {
    this.#app = app
    this.#feed = feed
  }

  /** The latest run of the pipeline's plan on this server, if any. */
  latest(pipeline: string): PlanRun | undefined {
    return this.#runs.get(pipeline)
  }

  /**
   * Starts running the pipeline's plan, or answers the run already going. Refuses, before
   * anything runs: a plan that cannot complete (409 `PLAN_INCOMPLETE`), steps that need an input
   * not given or not valid (400), no pool (400) or no live worker (503).
   */
  async start(name: string, inputs: Readonly<Record<string, unknown>>): Promise<PlanRun> {
    const host = this.#app.host
    const going = this.#runs.get(name)
    if (going?.status === 'running') return going
    const plan = await host.plan(name)
    checkRunnable(plan, inputs)
    let pool: BaseWorkerPool | undefined
    if (plan.steps.length > 0) {
      pool = poolOf(this.#app)
      if ((await pool.nWorkers()) === 0) {
        throw new ChariotsError(
          ErrorCode.NO_WORKER_ALIVE,
          `no worker is alive to run the plan of '${name}' (${plan.retrain.join(', ')}); start one with \`chariots worker <app module>\``,
        )
      }
      for (const step of plan.steps)
        if (step.needsInput) host.getPipeline(step.pipeline).parseInput(inputs[step.pipeline])
    }
    const run: PlanRun = {
      id: `${name}-${++this.#count}`,
      pipeline: name,
      status: 'running',
      plan,
      steps: plan.steps.map((s) => ({
        pipeline: s.pipeline,
        kind: s.kind,
        jobId: null,
        jobStatus: 'pending',
        progress: null,
        error: null,
      })),
      load: null,
      error: null,
      startedAt: new Date().toISOString(),
      endedAt: null,
    }
    this.#runs.set(name, run)
    this.#publish(run)
    void this.#execute(run, pool, inputs)
    return run
  }

  async #execute(run: PlanRun, pool: BaseWorkerPool | undefined, inputs: Readonly<Record<string, unknown>>) {
    const host = this.#app.host
    try {
      for (const [i, step] of run.steps.entries()) {
        const jobId = await pool!.executePipelineAsync(
          host.getPipeline(step.pipeline),
          inputs[step.pipeline],
          host,
        )
        this.#feed.track(jobId)
        Object.assign(step, { jobId, jobStatus: 'queued' })
        this.#publish(run)
        const job = await finished(pool!, jobId)
        Object.assign(step, { jobStatus: job.status, progress: job.progress, error: job.error })
        if (job.status !== 'done') {
          throw new ChariotsError<WireErrorCode>(
            job.error?.code ?? ErrorCode.OP_FAILED,
            `step ${i + 1} of the plan of '${run.pipeline}' ('${step.pipeline}', job ${jobId}) failed: ${job.error?.message ?? job.status}; fix it and run the plan again`,
          )
        }
        this.#publish(run)
      }
      run.load = await host.load(run.pipeline)
      if (!run.load.loaded) {
        throw new ChariotsError(
          ErrorCode.PIPELINE_NOT_LOADED,
          run.load.reason ?? 'the load found nothing to load',
        )
      }
      run.status = 'done'
    } catch (err) {
      const e = err as ChariotsError
      run.status = 'failed'
      run.error = { code: typeof e.code === 'string' ? e.code : ErrorCode.INTERNAL, message: e.message }
      this.#app.logger?.warn(
        { pipeline: run.pipeline, code: run.error.code },
        `plan run failed: ${e.message}`,
      )
    } finally {
      run.endedAt = new Date().toISOString()
      this.#publish(run)
    }
  }

  #publish(run: PlanRun): void {
    this.#feed.publish('plan', JSON.parse(JSON.stringify(run)) as Record<string, unknown>)
  }
}

/** Waits for the job to be done or failed, in chunks (a long training outlasts one wait). */
async function finished(pool: BaseWorkerPool, jobId: string): Promise<JobResponse> {
  for (;;) {
    const job = await pool.waitForJob(jobId, WAIT_CHUNK_MS)
    if (isFinished(job.status)) return job
  }
}
