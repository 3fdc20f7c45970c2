import { expect } from 'vitest'
import type { RawResponse } from './raw-request.js'

/**
 * Asserts an error answer exactly: its status, a JSON content type, and a body that is exactly
 * `{"error": {"code", "message"}}` (no `stack`, no other key). `message` is the exact text or a
 * matcher (`expect.stringContaining(…)`).
 *
 * @example
 * ```ts
 * expectJsonError(res, 404, 'PIPELINE_NOT_FOUND', expect.stringContaining("'nope'"))
 * ```
 */
export function expectJsonError(res: RawResponse, status: number, code: string, message: unknown): void {
  expect({ status: res.status, type: res.headers['content-type'] }).toEqual({
    status,
    type: expect.stringMatching(/^application\/json/),
  })
  expect(res.json()).toStrictEqual({ error: { code, message } })
}
