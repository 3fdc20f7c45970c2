import { expect } from 'vitest'
import type { RawResponse } from './raw-request.js'

/**
 * Asserts an error answer exactly: its status, a JSON content type, and a body that is exactly
 * `{"error": {"code", "message"}}`, plus `details` when `details` is given (no `stack`, no other
 * key; no `details` key when `details` is not given). `message` and `details` are exact values or
 * matchers (`expect.stringContaining(…)`).
 *
 * @example
 * ```ts
 * expectJsonError(res, 404, 'PIPELINE_NOT_FOUND', expect.stringContaining("'nope'"))
 * expectJsonError(res, 500, 'STORE_ERROR', expect.any(String), { errno: 'ENOSPC' })
 * ```
 */
export function expectJsonError(
  res: RawResponse,
  status: number,
  code: string,
  message: unknown,
  details?: unknown,
): void {
  expect({ status: res.status, type: res.headers['content-type'] }).toEqual({
    status,
    type: expect.stringMatching(/^application\/json/),
  })
  const error = details === undefined ? { code, message } : { code, message, details }
  expect(res.json()).toStrictEqual({ error })
}
