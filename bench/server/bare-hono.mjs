// Child process of server.bench.mjs: the bare Hono app (bare-hono-app.mjs) in one process on
// 127.0.0.1 and a free port. Prints one JSON line {"port": n} once listening.
import { serve } from '@hono/node-server'
import { app } from './bare-hono-app.mjs'

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  console.log(JSON.stringify({ port: info.port }))
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
