import { ChariotsError } from '@chariots/core'
import type { z } from 'zod'
import { type KnownErrorCode, ServerErrorCode } from '../errors/server-error-code.js'
import { describeIssues } from './describe-issues.js'

/**
 * Reads a server's answer with its wire schema; an answer of another shape is an
 * `INVALID_RESPONSE` naming what was expected and the first fields that are wrong.
 *
 * @example
 * ```ts
 * parseWire(VersionsWire, await response.json(), 'POST /pipelines/is_odd/versions')
 * ```
 */
export function parseWire<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const result = schema.safeParse(body)
  if (result.success) return result.data
  const issues = describeIssues(result.error.issues, 3)
  throw new ChariotsError<KnownErrorCode>(
    ServerErrorCode.INVALID_RESPONSE,
    `the server answered ${what} with a body of another shape (${issues}): ${JSON.stringify(body)?.slice(0, 200)}; is it a Chariots server of this version?`,
    { details: { issues: result.error.issues.slice(0, 10) } },
  )
}
