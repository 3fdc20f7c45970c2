import { ChariotsError, ErrorCode, type Pipeline } from '@chariots/core'
import type { Context } from 'hono'
import type { BodyLimit } from './limit-body.js'

/** The default `bodyLimit` of an app: every route but those of a pipeline. */
export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024

/** The default body limit of a pipeline's routes (`/pipelines/:name/main`, save, load, versions). */
export const DEFAULT_PIPELINE_BODY_LIMIT = 1024 * 1024

/** The limits {@link bodyLimitFor} reads from the app's options. */
export interface BodyLimitOptions {
  bodyLimit?: number
  pipelineBodyLimit?: number
}

/**
 * The body limit of each request: on a pipeline's routes, the pipeline's own `bodyLimit`, else the
 * app's `pipelineBodyLimit` (default 1 MB, or `bodyLimit` when that is lower); on every other route
 * the app's `bodyLimit` (default 10 MB). Checks every limit when the app is built.
 *
 * @example
 * ```ts
 * const limitFor = bodyLimitFor(app.pipelines, { pipelineBodyLimit: 4 << 20 })
 * app.use(limitBody(limitFor))
 * ```
 */
export function bodyLimitFor(
  pipelines: ReadonlyMap<string, Pipeline>,
  options: BodyLimitOptions,
): (c: Context) => BodyLimit {
  const appLimit = checked(options.bodyLimit, 'the bodyLimit option of new Chariots') ?? DEFAULT_BODY_LIMIT
  const pipelineDefault =
    checked(options.pipelineBodyLimit, 'the pipelineBodyLimit option of new Chariots') ??
    Math.min(appLimit, DEFAULT_PIPELINE_BODY_LIMIT)
  for (const p of pipelines.values()) checked(p.bodyLimit, `the bodyLimit of pipeline '${p.name}'`)
  const appHint = "; send less, or raise the app's limit: new Chariots(pipelines, { bodyLimit })"
  return (c) => {
    const name = c.req.param('name')
    if (name === undefined) return { bytes: appLimit, hint: appHint }
    const pipeline = pipelines.get(name)
    const shown = (pipeline?.name ?? name).slice(0, 100)
    return {
      bytes: pipeline?.bodyLimit ?? pipelineDefault,
      hint:
        `; send a smaller input, or raise the limit of pipeline '${shown}': ` +
        `new Pipeline(nodes, '${shown}', { bodyLimit }), or new Chariots(pipelines, { pipelineBodyLimit })`,
    }
  }
}

function checked(limit: number | undefined, what: string): number | undefined {
  if (limit === undefined || (Number.isSafeInteger(limit) && limit > 0)) return limit
  throw new ChariotsError(
    ErrorCode.INVALID_INPUT,
    `${what} must be a whole number of bytes above 0, got ${String(limit)}`,
  )
}
