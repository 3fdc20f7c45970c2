import { ChariotsError, ErrorCode } from '@chariots/core'

/** How long a worker job may run by default: one hour (0 means no limit). */
export const DEFAULT_JOB_TIMEOUT_MS = 60 * 60 * 1000

/** How long a shutdown waits for running jobs by default, unless `CHARIOTS_SHUTDOWN_TIMEOUT_MS` says. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000

/**
 * The timeout of a job of `pipeline`: its own `jobTimeoutMs`, else `poolDefault`; 0 means none.
 * Throws `INVALID_INPUT` for a negative or fractional value.
 *
 * @example
 * ```ts
 * jobTimeoutFor({ jobTimeoutMs: 5_000 }, DEFAULT_JOB_TIMEOUT_MS) // 5000
 * jobTimeoutFor({}, 60_000) // 60000
 * ```
 */
export function jobTimeoutFor(
  pipeline: { readonly jobTimeoutMs?: number | undefined },
  poolDefault: number,
): number {
  const ms = pipeline.jobTimeoutMs ?? poolDefault
  return checkedMs(ms, 'jobTimeoutMs')
}

/** `ms` when it is a whole number ≥ 0, else an `INVALID_INPUT` error naming `what`. */
export function checkedMs(ms: number, what: string): number {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new ChariotsError(
      ErrorCode.INVALID_INPUT,
      `${what} must be a whole number of ms ≥ 0 (0: no limit), got ${ms}`,
    )
  }
  return ms
}

/**
 * The shutdown grace period: `CHARIOTS_SHUTDOWN_TIMEOUT_MS` when set, else 30 s. Throws
 * `INVALID_INPUT` for a value that is not a whole number of ms.
 *
 * @example
 * ```ts
 * shutdownGraceMs({ CHARIOTS_SHUTDOWN_TIMEOUT_MS: '5000' }) // 5000
 * shutdownGraceMs({}) // 30000
 * ```
 */
export function shutdownGraceMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.CHARIOTS_SHUTDOWN_TIMEOUT_MS
  if (text === undefined || text === '') return DEFAULT_SHUTDOWN_TIMEOUT_MS
  if (!/^\d{1,10}$/.test(text)) {
    throw new ChariotsError(
      ErrorCode.INVALID_INPUT,
      `CHARIOTS_SHUTDOWN_TIMEOUT_MS must be a whole number of ms, got '${text.slice(0, 40)}'`,
    )
  }
  return Number(text)
}

/**
 * The `TIMEOUT` error of a job that ran longer than its timeout. `stopped` says whether its body was
 * stopped (a worker thread or process terminated) or only abandoned (it keeps running in-process).
 *
 * @example
 * ```ts
 * jobTimeoutError('1b9d…', 'train', 60_000, true).message
 * // "job 1b9d… of pipeline 'train' ran longer than its timeout of 60000 ms and was stopped; …"
 * ```
 */
export function jobTimeoutError(
  jobId: string,
  pipeline: string,
  ms: number,
  stopped: boolean,
): ChariotsError {
  const fate = stopped
    ? 'was stopped (its worker thread or process was terminated and replaced)'
    : 'was failed (in this process it cannot be stopped: it runs on until it returns)'
  return new ChariotsError(
    ErrorCode.TIMEOUT,
    `job ${jobId} of pipeline '${pipeline}' ran longer than its timeout of ${ms} ms and ${fate}; raise jobTimeoutMs of the pipeline (new Pipeline(nodes, '${pipeline}', { jobTimeoutMs })) or of the worker pool, or make the job faster`,
    { details: { job: jobId, pipeline, timeoutMs: ms } },
  )
}

/**
 * The `WORKER_SHUTDOWN` error of a job still running when its worker shut down and the grace
 * period ended.
 *
 * @example
 * ```ts
 * workerShutdownError('1b9d…', 'train', 30_000, 'the worker process (SIGTERM)').code // 'WORKER_SHUTDOWN'
 * ```
 */
export function workerShutdownError(
  jobId: string,
  pipeline: string,
  graceMs: number,
  who: string,
): ChariotsError {
  return new ChariotsError(
    ErrorCode.WORKER_SHUTDOWN,
    `job ${jobId} of pipeline '${pipeline}' was still running when ${who} shut down, and did not finish within the grace period of ${graceMs} ms (CHARIOTS_SHUTDOWN_TIMEOUT_MS); run it again`,
    { details: { job: jobId, pipeline, graceMs } },
  )
}
