import { ErrorCode } from '@chariots/core'
import { type JobError, toJobError } from '@chariots/workers'

/** Codes whose failure a retry cannot fix: they fail at once even when `attempts` > 1. */
const DETERMINISTIC = new Set<string>([
  ErrorCode.INVALID_INPUT,
  ErrorCode.INVALID_OUTPUT,
  ErrorCode.INVALID_GRAPH,
  ErrorCode.OUTPUT_MISMATCH,
  ErrorCode.PIPELINE_NOT_FOUND,
  ErrorCode.PIPELINE_NOT_LOADED,
  ErrorCode.VERSION_INCOMPATIBLE,
])

const ENCODED = /^([A-Z][A-Z0-9_]*): ([\s\S]*)$/

/**
 * The error a job body throws to BullMQ: its message is `<CODE>: <message>`, so the code survives
 * BullMQ's `failedReason` (a plain string in Redis, also across the sandbox's process boundary).
 * Deterministic failures are named `UnrecoverableError` so BullMQ does not retry them.
 */
export function toBullFailure(err: unknown): Error {
  return bullFailureOf(toJobError(err))
}

/** {@link toBullFailure} of an error already in its `{ code, message }` form. */
export function bullFailureOf({ code, message }: JobError): Error {
  // A plain Error on purpose: it is BullMQ's wire form (failedReason `CODE: message`, and the name
  // UnrecoverableError that BullMQ reads), never shown to a user: fromFailedReason reads it back.
  const failure = new Error(`${code}: ${message}`)
  if (DETERMINISTIC.has(code)) failure.name = 'UnrecoverableError'
  return failure
}

/**
 * The `{ code, message }` of a failed BullMQ job, read back from its `failedReason`; reasons BullMQ
 * wrote itself (a stalled job, a sandbox process that died) get a code of their own.
 */
export function fromFailedReason(reason: string | undefined, maxStalledCount: number): JobError {
  const text = reason ?? ''
  const encoded = ENCODED.exec(text)
  if (encoded) return { code: encoded[1]!, message: encoded[2]! }
  if (/stalled more than allowable limit/.test(text)) {
    return {
      code: ErrorCode.JOB_STALLED,
      message: `the worker running the job stopped (killed, crashed, or its event loop was blocked past lockDuration) more than maxStalledCount (${maxStalledCount}) times; the job was not finished`,
    }
  }
  const exited = /^Unexpected exit code: (\S+) signal: (\S+)/.exec(text)
  if (exited) {
    return {
      code: ErrorCode.WORKER_DIED,
      message: `the process running the job exited unexpectedly (exit code ${exited[1]}, signal ${exited[2]})`,
    }
  }
  return { code: ErrorCode.OP_FAILED, message: text || 'the job failed without a reason' }
}
