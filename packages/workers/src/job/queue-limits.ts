import { ChariotsError, ErrorCode } from '@chariots/core'

/** The limits on what a pool holds before it refuses new jobs with `QUEUE_FULL`. */
export interface QueueLimitOptions {
  /**
   * At most this many jobs accepted and not finished yet (queued or running); past it a new job is
   * refused with `QUEUE_FULL` (HTTP 503 with `Retry-After`).
   */
  maxQueuedJobs?: number
  /**
   * At most this many bytes of input (as JSON, UTF-8) held by jobs accepted and not finished yet;
   * past it a new job is refused with `QUEUE_FULL`. One input larger than the whole limit is
   * refused with `BODY_TOO_LARGE`.
   */
  maxQueuedBytes?: number
  /** The seconds a refused caller is told to wait before retrying (`Retry-After`, default 5). */
  retryAfterSeconds?: number
}

/** {@link QueueLimitOptions} with every default filled in. */
export type QueueLimits = Required<QueueLimitOptions>

/** What a pool holds right now, for the error that refuses one more job. */
export interface QueueLoad {
  /** The pool's name in messages (`InProcessWorkerPool`, `RQWorkerPool 'iris'`). */
  pool: string
  pipeline: string
  queuedJobs: number
  queuedBytes: number
  /** The bytes of the refused job's input. */
  inputBytes: number
}

/**
 * The limits of `options` with `defaults` for the rest; throws `INVALID_INPUT` naming a limit that
 * is not a whole number above 0.
 *
 * @example
 * ```ts
 * resolveQueueLimits({ maxQueuedJobs: 10 }, { maxQueuedJobs: 1_000, maxQueuedBytes: 64 << 20, retryAfterSeconds: 5 })
 * // { maxQueuedJobs: 10, maxQueuedBytes: 67108864, retryAfterSeconds: 5 }
 * ```
 */
export function resolveQueueLimits(options: QueueLimitOptions, defaults: QueueLimits): QueueLimits {
  const limits = { ...defaults }
  for (const key of Object.keys(defaults) as (keyof QueueLimits)[]) {
    const value = options[key]
    if (value === undefined) continue
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ChariotsError(ErrorCode.INVALID_INPUT, `${key} must be a whole number above 0, got ${value}`)
    }
    limits[key] = value
  }
  return limits
}

/**
 * The bytes of `value` written as JSON in UTF-8 (what a queue stores and the wire carries); 0 for
 * `undefined`. Throws `INVALID_INPUT` for a value JSON cannot write (a cycle, a BigInt).
 *
 * @example
 * ```ts
 * jsonByteLength({ x: 'é' }) // 10
 * ```
 */
export function jsonByteLength(value: unknown): number {
  if (value === undefined) return 0
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (err) {
    throw new ChariotsError(
      ErrorCode.INVALID_INPUT,
      `the job input cannot be written as JSON (${(err as Error).message}); pass plain JSON data`,
      { cause: err },
    )
  }
  return text === undefined ? 0 : Buffer.byteLength(text)
}

/**
 * Throws `QUEUE_FULL` (or `BODY_TOO_LARGE` for an input larger than the whole byte limit) when
 * one more job of `load.inputBytes` would pass `limits`; the error's details carry
 * `retryAfterSeconds`, which the server sends as `Retry-After`.
 *
 * @example
 * ```ts
 * checkQueueLimits({ pool: 'InProcessWorkerPool', pipeline: 'train', queuedJobs: 3, queuedBytes: 0, inputBytes: 10 }, limits)
 * ```
 */
export function checkQueueLimits(load: QueueLoad, limits: QueueLimits): void {
  const { pool, pipeline, queuedJobs, queuedBytes, inputBytes } = load
  if (inputBytes > limits.maxQueuedBytes) {
    throw new ChariotsError(
      ErrorCode.BODY_TOO_LARGE,
      `the input of pipeline '${pipeline}' is ${inputBytes} bytes as JSON, more than the ${pool} holds for all its queued jobs (maxQueuedBytes ${limits.maxQueuedBytes}); send a smaller input, or raise maxQueuedBytes`,
      { details: { pipeline, inputBytes, maxQueuedBytes: limits.maxQueuedBytes } },
    )
  }
  const overJobs = queuedJobs >= limits.maxQueuedJobs
  if (!overJobs && queuedBytes + inputBytes <= limits.maxQueuedBytes) return
  const what = overJobs
    ? `${queuedJobs} jobs waiting or running (maxQueuedJobs ${limits.maxQueuedJobs})`
    : `${queuedBytes} bytes of queued input, and this one is ${inputBytes} more (maxQueuedBytes ${limits.maxQueuedBytes})`
  throw new ChariotsError(
    ErrorCode.QUEUE_FULL,
    `the ${pool} is full: it holds ${what}, so the job of pipeline '${pipeline}' was not queued; retry in ${limits.retryAfterSeconds} s, or start more workers, or raise the limit`,
    {
      details: {
        pipeline,
        queuedJobs,
        queuedBytes,
        maxQueuedJobs: limits.maxQueuedJobs,
        maxQueuedBytes: limits.maxQueuedBytes,
        retryAfterSeconds: limits.retryAfterSeconds,
      },
    },
  )
}
