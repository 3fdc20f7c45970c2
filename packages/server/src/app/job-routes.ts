import { ChariotsError, ErrorCode } from '@chariots/core'
import { type BaseWorkerPool, isValidJobId } from '@chariots/workers'
import { type Context, Hono } from 'hono'
import { type KnownErrorCode, ServerErrorCode } from '../errors/server-error-code.js'
import { jobToWire } from '../wire/job-to-wire.js'
import { JobFetchBody, parseBody } from './body-schemas.js'
import { readJsonBody } from './read-json-body.js'
import type { RouteGuard } from './route-guard.js'
import type { ServedApp } from './served-app.js'

const DEFAULT_WAIT_MS = 30_000
const MAX_WAIT_MS = 10 * 60_000

/** A sub-app serving `POST /jobs/fetch/` (also without the slash) and `GET /jobs/:id/wait?timeout_ms=`. */
export function jobRoutes(app: ServedApp, guard: RouteGuard): Hono {
  const routes = new Hono()
  const fetchJob = async (c: Context) => {
    const pool = poolOf(app)
    const { job_id } = parseBody(JobFetchBody, await readJsonBody(c))
    const jobId = checkJobId(job_id, ServerErrorCode.INVALID_BODY)
    return c.json(jobToWire(await pool.getPipelineResponseForId(jobId)))
  }
  routes.post('/jobs/fetch/', guard(fetchJob, { body: true }))
  routes.post('/jobs/fetch', guard(fetchJob, { body: true }))

  const waitForJob = async (c: Context) => {
    const pool = poolOf(app)
    const jobId = checkJobId(c.req.param('id') ?? '', ErrorCode.INVALID_PATH)
    const timeoutMs = parseTimeout(c.req.query('timeout_ms'))
    return c.json(jobToWire(await pool.waitForJob(jobId, timeoutMs)))
  }
  routes.get('/jobs/:id/wait', guard(waitForJob))
  return routes
}

/** The app's worker pool; `NO_WORKER_POOL` (400) when it has none. */
export function poolOf(app: ServedApp): BaseWorkerPool {
  if (app.workerPool) return app.workerPool
  throw new ChariotsError(
    ErrorCode.NO_WORKER_POOL,
    'this app has no workerPool, so it has no jobs; pass one to new Chariots(pipelines, { workerPool })',
  )
}

/** The pools generate UUIDs: anything else is a 400 before the pool is asked. */
export function checkJobId(
  jobId: string,
  code: typeof ServerErrorCode.INVALID_BODY | typeof ErrorCode.INVALID_PATH,
): string {
  if (isValidJobId(jobId)) return jobId
  throw new ChariotsError<KnownErrorCode>(
    code,
    `job id '${String(jobId).slice(0, 100)}' is not valid: expected a job id as the call answered it (a UUID)`,
  )
}

function parseTimeout(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_WAIT_MS
  // Digits only: Number() would also take '0x10', '1e3' and ' 5 '.
  const n = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isInteger(n) || n < 0 || n > MAX_WAIT_MS) {
    throw new ChariotsError(
      ErrorCode.INVALID_PATH,
      `timeout_ms '${text.slice(0, 50)}' is not valid: expected an integer from 0 to ${MAX_WAIT_MS}`,
    )
  }
  return n
}
