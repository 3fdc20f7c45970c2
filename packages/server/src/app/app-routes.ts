import type { Chariots } from './chariots.js'
import { buildOpenApi } from './openapi.js'
import type { RouteGuard } from './route-guard.js'

/** Registers `GET /health_check`, `GET /available_pipelines` and `GET /openapi.json`. */
export function appRoutes(app: Chariots, guard: RouteGuard, options: { auth: boolean }): void {
  app.get(
    '/health_check',
    guard((c) => {
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
