import { ChariotsError } from '@chariots/core'
import { z } from 'zod'
import { type KnownErrorCode, ServerErrorCode } from '../errors/server-error-code.js'
import { describeIssues } from '../wire/describe-issues.js'

/** `POST /pipelines/:name/main`: `{ pipeline_input, use_worker }`; extra keys are ignored. */
export const MainBody = z.object({
  pipeline_input: z.unknown().optional(),
  use_worker: z.boolean().nullish(),
})

/** The body of a main call. */
export type MainBodyValue = z.infer<typeof MainBody>

/**
 * Reads a main call's body: an object whose `use_worker` is a boolean, null or absent is taken as
 * is (the hot path: no copy, no zod); anything else goes through {@link MainBody} for the error.
 *
 * @example
 * ```ts
 * parseMainBody({ pipeline_input: 4, use_worker: false }).pipeline_input // 4
 * ```
 */
export function parseMainBody(body: unknown): MainBodyValue {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const useWorker = (body as MainBodyValue).use_worker
    if (useWorker === undefined || useWorker === null || typeof useWorker === 'boolean')
      return body as MainBodyValue
  }
  return parseBody(MainBody, body)
}

/** `POST /pipelines/:name/save|load|versions`: `null` (what the Python client sends) or an object. */
export const EmptyBody = z.union([z.null(), z.object({})])

/**
 * `POST /pipelines/:name/load`: `null` (the Python client), `{}`, or `{ pin: { <node>: <seq> } }`
 * to load given saved states (a rollback to an earlier consistent set).
 */
export const LoadBody = z.union([
  z.null(),
  z.object({ pin: z.record(z.string(), z.number().int().positive()).optional() }),
])

/** `POST /jobs/fetch/`: `{ job_id }`. */
export const JobFetchBody = z.object({ job_id: z.string() })

/**
 * Parses a request body with a schema; 400 `INVALID_BODY` naming the first bad fields otherwise.
 *
 * @example
 * ```ts
 * const { pipeline_input } = parseBody(MainBody, await readJsonBody(c))
 * ```
 */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body)
  if (r.success) return r.data
  throw new ChariotsError<KnownErrorCode>(
    ServerErrorCode.INVALID_BODY,
    `the request body is not valid: ${describeIssues(r.error.issues)}`,
  )
}
