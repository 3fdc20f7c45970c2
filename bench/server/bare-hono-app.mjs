// The bare Hono app of server.bench.mjs: one route that parses the same JSON body and answers the
// same JSON shape as Chariots' is_odd (the ceiling to compare against). Served by bare-hono.mjs
// (one process) and bare-hono-cluster.mjs (node:cluster).
import { Hono } from 'hono'

const version = `${'da39a3ee5e6b4b0d3255bfef95601890afd80709.'.repeat(3).slice(0, -1)}_1764493200.123`
export const app = new Hono()
app.post('/pipelines/:name/main', async (c) => {
  const body = await c.req.json()
  return c.json({
    pipeline_output: body.pipeline_input % 2 === 1,
    versions: { isoddop: version },
    job_id: null,
    job_status: 'done',
  })
})
