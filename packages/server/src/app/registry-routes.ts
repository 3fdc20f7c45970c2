import {
  ChariotsError,
  ErrorCode,
  lineageMismatch,
  type Pipeline,
  stateOfCode,
  Version,
} from '@chariots/core'
import { Hono } from 'hono'
import type { RouteGuard } from './route-guard.js'
import type { ServedApp } from './served-app.js'

/**
 * A sub-app serving `GET /pipelines/:name/nodes/:node/states`: the node's saved states in save order, each
 * with its version, save order, when and by whom it was saved (a job, a request), the upstream
 * versions it was trained with, whether it fits the current upstream of this pipeline, and whether
 * it is the one serving. A state's `seq` is what `POST /pipelines/:name/load` takes as a pin.
 */
export function registryRoutes(app: ServedApp, guard: RouteGuard): Hono {
  const routes = new Hono()
  const { host } = app
  routes.get(
    '/pipelines/:name/nodes/:node/states',
    guard(async (c) => {
      const pipeline = host.getPipeline(c.req.param('name') ?? '')
      const name = c.req.param('node') ?? ''
      const node = pipeline.allNodes().find((n) => n.name === name)
      if (!node) throw unknownNode(pipeline, name)
      const analysis = await host.analyze(pipeline.name)
      const me = analysis.nodes.find((n) => n.name === name)!
      const versionOf = new Map(analysis.nodes.map((n) => [n.name, Version.parse(n.version)]))
      const upstream = new Map<string, Version>()
      for (const input of upstreamNames(pipeline, name)) {
        const v = versionOf.get(input)
        if (v) upstream.set(input, v)
      }
      const op = node.loadableOp
      const held = op?.state?.seq ?? null
      const states = op ? await host.store.listStates(name) : []
      return c.json({
        pipeline: pipeline.name,
        node: name,
        op: me.op,
        status: me.status,
        serving: held,
        states: states.map((s) => {
          const mismatch = lineageMismatch(s.lineage, upstream)
          return {
            seq: s.seq,
            version: s.version,
            codeVersion: s.codeVersion,
            currentCode: stateOfCode(op!, s),
            savedAt: s.savedAt,
            savedBy: s.savedBy,
            savedByPipeline: s.pipeline,
            size: s.size,
            lineage: s.lineage,
            fits: mismatch === null,
            mismatch: mismatch && {
              upstream: mismatch.node,
              trainedWith: mismatch.trainedWith,
              current: mismatch.current.toString(),
            },
            serving: s.seq === held,
          }
        }),
      })
    }),
  )
  return routes
}

/** Every node upstream of `name` (transitively), by name; nested pipelines' nodes see their parent's upstream. */
function upstreamNames(pipeline: Pipeline, name: string): string[] {
  const i = pipeline.nodes.findIndex((n) => n.name === name)
  if (i >= 0) return pipeline.upstream[i]!.map((j) => pipeline.nodes[j]!.name)
  for (const [k, n] of pipeline.nodes.entries()) {
    if (n.pipeline?.allNodes().some((m) => m.name === name)) {
      return [
        ...pipeline.upstream[k]!.map((j) => pipeline.nodes[j]!.name),
        ...upstreamNames(n.pipeline, name),
      ]
    }
  }
  return []
}

function unknownNode(pipeline: Pipeline, name: string): ChariotsError {
  const names = pipeline.allNodes().map((n) => n.name)
  return new ChariotsError(
    ErrorCode.NOT_FOUND,
    `pipeline '${pipeline.name}' has no node '${name.slice(0, 100)}'; its nodes: ${names.join(', ')}`,
    { details: { pipeline: pipeline.name, node: name.slice(0, 100), nodes: names } },
  )
}
