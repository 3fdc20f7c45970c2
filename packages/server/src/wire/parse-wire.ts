import { ChariotsError } from '@chariots/core'
import type { z } from 'zod'
import { type KnownErrorCode, ServerErrorCode } from '../errors/server-error-code.js'

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
  const issues = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? `field '${i.path.map(String).join('.')}'` : 'body'}: ${i.message}`)
    .join('; ')
  throw new ChariotsError<KnownErrorCode>(
    ServerErrorCode.INVALID_RESPONSE,
    `the server answered ${what} with a body of another shape (${issues}): ${JSON.stringify(body)?.slice(0, 200)}; is it a Chariots server of this version?`,
    { details: { issues: result.error.issues.slice(0, 10) } },
  )
}
