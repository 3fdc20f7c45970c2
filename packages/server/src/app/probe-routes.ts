import { Hono } from 'hono'
import type { ServedApp } from './served-app.js'

/** What `GET /readyz` answers. */
export interface Readiness {
  ready: boolean
  /** What keeps the app from being ready, one line each (empty when ready). */
  problems: string[]
}

/**
 * A sub-app serving `GET /livez` (the process is up and answers: 200, never waits for anything) and
 * `GET /readyz` (200 when ready, else 503 with the problems): the start-up load is done, no
 * pipeline failed to load (a version refused, a corrupt state, the store down — a pipeline whose
 * models were never trained is not a failure: a fresh deployment must take traffic to be trained),
 * and the worker pool's backend answers. For orchestrators' probes; `/health_check` stays as the
 * Python client knows it.
 */
export function probeRoutes(app: ServedApp, isReady: () => boolean): Hono {
  const routes = new Hono()
  routes.get('/livez', (c) => c.json({ live: true }))
  routes.get('/readyz', async (c) => {
    const readiness = await readinessOf(app, isReady())
    return c.json(readiness, readiness.ready ? 200 : 503)
  })
  return routes
}

async function readinessOf(app: ServedApp, started: boolean): Promise<Readiness> {
  if (!started) return { ready: false, problems: ['the start-up load of the pipelines is still running'] }
  const problems: string[] = []
  for (const name of app.pipelines.keys()) {
    const status = app.host.status(name)
    if (!status.loaded && status.refused) {
      problems.push(`pipeline '${name}' failed to load (${status.refused.code}): ${status.refused.message}`)
    }
  }
  if (app.workerPool) {
    try {
      await app.workerPool.nWorkers()
    } catch (err) {
      problems.push(`the worker pool's backend does not answer: ${(err as Error).message}`)
    }
  }
  return { ready: problems.length === 0, problems }
}
