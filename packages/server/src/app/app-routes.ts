import { Hono } from 'hono'
import type { AvailablePipelinesWire, HealthCheckWire } from '../wire/pipeline-route-wire.js'
import { buildOpenApi } from './openapi.js'
import type { RouteGuard } from './route-guard.js'
import type { ServedApp } from './served-app.js'

/** A sub-app serving `GET /health_check`, `GET /available_pipelines` and `GET /openapi.json`. */
export function appRoutes(app: ServedApp, guard: RouteGuard, options: { auth: boolean }): Hono {
  const routes = new Hono()
  // `{ <pipeline>: <loaded> }` as the Python client knows it; `?details` answers each pipeline's
  // status instead (serving or not, why, and a newer load that was refused).
  routes.get(
    '/health_check',
    guard((c) => {
      if (c.req.query('details') !== undefined) {
        const statuses: Record<string, unknown> = Object.create(null)
        for (const name of app.pipelines.keys()) statuses[name] = app.host.status(name)
        return c.json(statuses)
      }
      const health: HealthCheckWire = Object.create(null)
      for (const [name, p] of app.pipelines) health[name] = p.isLoaded
      return c.json(health)
    }),
  )
  routes.get(
    '/available_pipelines',
    guard((c) => c.json([...app.pipelines.keys()] satisfies AvailablePipelinesWire)),
  )
  let openapi: ReturnType<typeof buildOpenApi> | undefined
  routes.get(
    '/openapi.json',
    guard((c) => {
      openapi ??= buildOpenApi([...app.pipelines.values()], options)
      return c.json(openapi)
    }),
  )
  return routes
}
