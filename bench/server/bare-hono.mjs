// Child process of server.bench.mjs: a bare Hono app with one route that parses the same JSON body
// and answers the same JSON shape as Chariots' is_odd (the ceiling to compare against).
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

const version = `${'da39a3ee5e6b4b0d3255bfef95601890afd80709.'.repeat(3).slice(0, -1)}_1764493200.123`
const app = new Hono()
app.post('/pipelines/:name/main', async (c) => {
  const body = await c.req.json()
  return c.json({
    pipeline_output: body.pipeline_input % 2 === 1,
    versions: { isoddop: version },
    job_id: null,
    job_status: 'done',
  })
})
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  console.log(JSON.stringify({ port: info.port }))
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
