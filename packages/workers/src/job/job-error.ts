import { ChariotsError, ErrorCode } from '@chariots/core'
import type { JobError } from './job-types.js'

/**
 * The `{ code, message }` a failed job reports for an error thrown by its body: the code of a
 * ChariotsError, else `OP_FAILED` with the error's message.
 *
 * @example
 * ```ts
 * toJobError(new Error('boom')) // { code: 'OP_FAILED', message: 'boom' }
 * ```
 */
export function toJobError(err: unknown): JobError {
  if (err instanceof ChariotsError) return { code: String(err.code), message: err.message }
  if (err instanceof Error) return { code: ErrorCode.OP_FAILED, message: err.message || err.name }
  return { code: ErrorCode.OP_FAILED, message: String(err) }
}
