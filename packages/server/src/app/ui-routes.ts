import { type Context, Hono } from 'hono'
import { LOGIN_COOKIE, tokenMatches } from './bearer-auth.js'
import type { RouteGuard } from './route-guard.js'
import type { ServedApp } from './served-app.js'
import { type UiAsset, UiAssets } from './ui-assets.js'

// The page runs only its own scripts and talks only to its own server.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

const SWAGGER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Chariots API</title>
<link rel="stylesheet" href="swagger-ui.css"><link rel="icon" href="favicon-32x32.png"></head>
<body><div id="swagger-ui"></div>
<script src="swagger-ui-bundle.js"></script><script src="swagger-ui-standalone-preset.js"></script>
<script src="init.js"></script></body></html>`

// No validatorUrl: Swagger UI would otherwise send the document to an online validator.
const SWAGGER_INIT = `window.ui = SwaggerUIBundle({
  url: new URL('../../openapi.json', window.location.href).toString(),
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
  validatorUrl: null,
  withCredentials: true,
})
`

const loginPage = (message = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Chariots: sign in</title>
<link rel="stylesheet" href="assets/style.css"></head>
<body><header class="top"><h1>Chariots</h1></header>
<main class="layout"><form class="panel" method="post" action="login">
<h2>This server needs its token</h2>${message ? `<p class="misfit">${message}</p>` : ''}
<p><label>Token <input type="password" name="token" autocomplete="current-password" autofocus></label>
<button class="primary" type="submit">Open the dashboard</button></p></form></main></body></html>`

/**
 * A sub-app serving the dashboard: `GET /ui/` (the page: every pipeline's DAG, plans, buttons, live jobs),
 * its assets under `/ui/assets/`, the OpenAPI document rendered by Swagger UI at `/ui/api/`, and,
 * with `auth`, `/ui/login`, which takes the token once and keeps it in an HttpOnly, SameSite=Strict
 * cookie that the page's requests then carry.
 */
export function uiRoutes(app: ServedApp, guard: RouteGuard, options: { token: string | undefined }): Hono {
  const routes = new Hono()
  const assets = new UiAssets()
  const send = (c: Context, asset: UiAsset | null, cache = 'no-cache') => {
    if (!asset) return c.notFound()
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
      'content-type': asset.type,
      'cache-control': cache,
      ...SECURITY_HEADERS,
    })
  }
  const slash = (c: Context) => c.redirect(`${c.req.path}/`, 308)
  routes.get('/ui', guard(slash))
  routes.get(
    '/ui/',
    guard((c) => send(c, assets.page('index.html'))),
  )
  routes.get(
    '/ui/assets/:file',
    guard((c) => {
      const file = c.req.param('file') ?? ''
      return send(c, file === 'style.css' ? assets.page('style.css') : assets.script(file))
    }),
  )
  routes.get('/ui/api', guard(slash))
  routes.get(
    '/ui/api/',
    guard((c) => c.html(SWAGGER_PAGE, 200, SECURITY_HEADERS)),
  )
  routes.get(
    '/ui/api/init.js',
    guard((c) =>
      c.body(SWAGGER_INIT, 200, { 'content-type': 'text/javascript; charset=utf-8', ...SECURITY_HEADERS }),
    ),
  )
  routes.get(
    '/ui/api/:file',
    guard((c) => send(c, assets.swagger(c.req.param('file') ?? ''), 'max-age=3600')),
  )
  const token = options.token
  if (token === undefined) return routes
  routes.get(
    '/ui/login',
    guard((c) => c.html(loginPage(), 200, SECURITY_HEADERS)),
  )
  routes.post(
    '/ui/login',
    guard(
      async (c) => {
        const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>)
        const given = typeof form.token === 'string' ? form.token : ''
        if (!tokenMatches(given, token)) {
          return c.html(loginPage('That is not the token of this server.'), 401, SECURITY_HEADERS)
        }
        const path = c.req.path.replace(/\/login$/, '/')
        c.header(
          'set-cookie',
          `${LOGIN_COOKIE}=${encodeURIComponent(given)}; Path=${path.replace(/\/ui\/$/, '/')}; HttpOnly; SameSite=Strict`,
        )
        return c.redirect(path, 303)
      },
      { body: true },
    ),
  )
  return routes
}
