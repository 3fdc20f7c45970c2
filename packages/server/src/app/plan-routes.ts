import { ChariotsError, ErrorCode } from '@chariots/core'
import { type Context, Hono } from 'hono'
import { z } from 'zod'
import { graphToSvg } from '../graph/graph-svg.js'
import { graphToDot, graphToMermaid } from '../graph/graph-text.js'
import { layoutGraph } from '../graph/pipeline-graph.js'
import { parseBody } from './body-schemas.js'
import type { PlanRunner } from './plan-runner.js'
import { readJsonBody } from './read-json-body.js'
import type { RouteGuard } from './route-guard.js'
import type { ServedApp } from './served-app.js'

/** `POST /pipelines/:name/plan/run`: nothing, or `{ inputs: { <pipeline>: <input> } }` for steps that read one. */
export const PlanRunBody = z.union([
  z.null(),
  z.object({ inputs: z.record(z.string(), z.unknown()).optional() }),
])

const FORMATS = {
  svg: { type: 'image/svg+xml; charset=utf-8', render: graphToSvg },
  dot: { type: 'text/vnd.graphviz; charset=utf-8', render: graphToDot },
  mermaid: { type: 'text/plain; charset=utf-8', render: graphToMermaid },
} as const

/**
 * A sub-app serving the planner's routes: `GET /pipelines/:name/plan` (what it takes to make the pipeline
 * loadable), `POST /pipelines/:name/plan/run` (runs it as worker jobs, then loads; answers 202 with
 * the run), `GET /pipelines/:name/plan/run` (the latest run on this server), and
 * `GET /pipelines/:name/graph` (each node's and link's standing; `?format=svg|dot|mermaid` draws it).
 */
export function planRoutes(app: ServedApp, guard: RouteGuard, runner: PlanRunner): Hono {
  const routes = new Hono()
  const { host } = app
  const nameOf = (c: Context) => host.getPipeline(c.req.param('name') ?? '').name

  routes.get(
    '/pipelines/:name/plan',
    guard(async (c) => c.json(await host.plan(nameOf(c)))),
  )

  routes.post(
    '/pipelines/:name/plan/run',
    guard(
      async (c) => {
        const name = nameOf(c)
        const body = parseBody(PlanRunBody, await readJsonBody(c, { allowEmpty: true }))
        return c.json(await runner.start(name, body?.inputs ?? {}), 202)
      },
      { body: true },
    ),
  )

  routes.get(
    '/pipelines/:name/plan/run',
    guard((c) => {
      const name = nameOf(c)
      const run = runner.latest(name)
      if (!run) {
        throw new ChariotsError(
          ErrorCode.NOT_FOUND,
          `no plan of pipeline '${name}' was run on this server yet; start one with POST /pipelines/${name}/plan/run`,
        )
      }
      return c.json(run)
    }),
  )

  routes.get(
    '/pipelines/:name/graph',
    guard(async (c) => {
      const name = nameOf(c)
      const format = c.req.query('format') ?? 'json'
      if (format !== 'json' && !Object.hasOwn(FORMATS, format)) {
        throw new ChariotsError(
          ErrorCode.INVALID_PATH,
          `format '${format.slice(0, 30)}' is not one this route draws; use json, svg, dot or mermaid`,
        )
      }
      const analysis = await host.analyze(name)
      if (format === 'json') return c.json({ ...analysis, serving: host.status(name).loaded })
      const { type, render } = FORMATS[format as keyof typeof FORMATS]
      return c.body(render(layoutGraph(analysis)), 200, { 'content-type': type })
    }),
  )
  return routes
}
