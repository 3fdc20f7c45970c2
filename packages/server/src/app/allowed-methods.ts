/** A registered route as Hono lists it in `app.routes`. */
export interface RouteLike {
  method: string
  path: string
}

const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/**
 * The methods the routes answer on `path` (`HEAD` wherever `GET` is), in a fixed order; empty when
 * no route has that path. Middleware (method `ALL`) is not a route. Paths use Hono's syntax
 * (`/pipelines/:name/main`, `*`).
 *
 * @example
 * ```ts
 * allowedMethods([{ method: 'POST', path: '/pipelines/:name/main' }], '/pipelines/x/main') // ['POST']
 * ```
 */
export function allowedMethods(routes: readonly RouteLike[], path: string): string[] {
  const methods = new Set<string>()
  for (const route of routes) {
    if (route.method === 'ALL' || !patternOf(route.path).test(path)) continue
    methods.add(route.method)
    if (route.method === 'GET') methods.add('HEAD')
  }
  return [...methods].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
}

function rank(method: string): number {
  const i = ORDER.indexOf(method)
  return i < 0 ? ORDER.length : i
}

const patterns = new Map<string, RegExp>()

/** A route path as a regular expression: `:param` is one segment, `*` anything. */
function patternOf(path: string): RegExp {
  let pattern = patterns.get(path)
  if (!pattern) {
    const source = path
      .split('/')
      .map((segment) => {
        if (segment === '*') return '.*'
        if (segment.startsWith(':')) return '[^/]+'
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      })
      .join('/')
    pattern = new RegExp(`^${source}$`)
    patterns.set(path, pattern)
  }
  return pattern
}
