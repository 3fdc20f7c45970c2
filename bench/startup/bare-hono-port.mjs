// Child process of startup.bench.mjs: a bare Hono server on the port given, with /health_check and
// the is_odd route, the smallest server a start-up can be compared with.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

const app = new Hono()
app.get('/health_check', (c) => c.json({ is_odd: true }))
app.post('/pipelines/:name/main', async (c) => {
  const body = await c.req.json()
  return c.json({
    pipeline_output: body.pipeline_input % 2 === 1,
    versions: {},
    job_id: null,
    job_status: 'done',
  })
})
const server = serve({ fetch: app.fetch, port: Number(process.argv[2]), hostname: '127.0.0.1' })
process.on('SIGTERM', () => server.close(() => process.exit(0)))
