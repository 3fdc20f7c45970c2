// Child process of server.bench.mjs: the bare Hono app (bare-hono-app.mjs) on node:cluster, two
// processes on one port of 127.0.0.1 (what `chariots serve --workers 2` is compared with). The
// primary prints one JSON line {"port": n} once both listen, and stops both on SIGTERM.
import cluster from 'node:cluster'
import { serve } from '@hono/node-server'
import { app } from './bare-hono-app.mjs'

const WORKERS = 2
if (cluster.isPrimary) {
  let listening = 0
  cluster.on('listening', (_worker, address) => {
    if (++listening === WORKERS) console.log(JSON.stringify({ port: address.port }))
  })
  for (let i = 0; i < WORKERS; i++) cluster.fork()
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0)
    })
  })
} else {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  process.on('SIGTERM', () => server.close(() => process.exit(0)))
}
