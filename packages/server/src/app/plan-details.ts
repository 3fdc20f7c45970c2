import { type ChariotsError, ErrorCode, type PipelineHost, type RetrainPlan } from '@chariots/core'
import type { Context } from 'hono'

const WITH_PLAN = new Set<string>([ErrorCode.VERSION_INCOMPATIBLE, ErrorCode.PIPELINE_NOT_LOADED])

/**
 * For the error handler: the retrain plan of the pipeline a 419 is about (the route's pipeline,
 * else the error's `details.pipeline`), to answer in `details.plan`. Concurrent 419s of one
 * pipeline share one computation. A plan that cannot be computed is left out, never an error.
 *
 * @example
 * ```ts
 * const planFor = createPlanDetails(app.host)
 * const plan = await planFor(err, c) // RetrainPlan | undefined
 * ```
 */
export function createPlanDetails(host: PipelineHost) {
  const inFlight = new Map<string, Promise<RetrainPlan | undefined>>()
  return (error: ChariotsError<string>, c: Context): Promise<RetrainPlan | undefined> => {
    if (!WITH_PLAN.has(error.code)) return Promise.resolve(undefined)
    const name = pipelineOf(error, c)
    if (name === undefined || !host.pipelines.has(name)) return Promise.resolve(undefined)
    let plan = inFlight.get(name)
    if (!plan) {
      plan = host
        .plan(name)
        .catch(() => undefined)
        .finally(() => inFlight.delete(name))
      inFlight.set(name, plan)
    }
    return plan
  }
}

function pipelineOf(error: ChariotsError<string>, c: Context): string | undefined {
  let fromRoute: string | undefined
  try {
    fromRoute = c.req.param('name')
  } catch {
    fromRoute = undefined
  }
  const fromDetails = error.details?.pipeline
  return fromRoute ?? (typeof fromDetails === 'string' ? fromDetails : undefined)
}
