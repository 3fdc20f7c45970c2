import type { Chariots } from './chariots.js'
import { buildOpenApi } from './openapi.js'
import type { RouteGuard } from './route-guard.js'

/** Registers `GET /health_check`, `GET /available_pipelines` and `GET /openapi.json`. */
export function appRoutes(app: Chariots, guard: RouteGuard, options: { auth: boolean }): void {
  // `{ <pipeline>: <loaded> }` as the Python client knows it; `?details` answers each pipeline's
  // status instead (serving or not, why, and a newer load that was refused).
  app.get(
    '/health_check',
    guard((c) => {
      if (c.req.query('details') !== undefined) {
        const statuses: Record<string, unknown> = Object.create(null)
        for (const name of app.pipelines.keys()) statuses[name] = app.host.status(name)
        return c.json(statuses)
      }
      const health: Record<string, boolean> = Object.create(null)
      for (const [name, p] of app.pipelines) health[name] = p.isLoaded
      return c.json(health)
    }),
  )
  app.get(
    '/available_pipelines',
    guard((c) => c.json([...app.pipelines.keys()])),
  )
  let openapi: ReturnType<typeof buildOpenApi> | undefined
  app.get(
    '/openapi.json',
    guard((c) => {
      openapi ??= buildOpenApi([...app.pipelines.values()], options)
      return c.json(openapi)
    }),
  )
}
