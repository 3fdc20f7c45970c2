import { ChariotsError, ErrorCode, type Pipeline, versionsOf } from '@chariots/core'
import { type Context, Hono } from 'hono'
import type { PipelineCallWire } from '../wire/pipeline-call-wire.js'
import type { LoadWire, PipelineHealthWire, SaveWire } from '../wire/pipeline-route-wire.js'
import { EmptyBody, LoadBody, parseBody, parseMainBody } from './body-schemas.js'
import { discardBody } from './discard-body.js'
import { readJsonBody } from './read-json-body.js'
import type { RouteGuard } from './route-guard.js'
import type { ServedApp } from './served-app.js'

/**
 * A sub-app serving the per-pipeline routes of docs/WIRE.md under `/pipelines/:name/`: `main`, `save`,
 * `load`, `versions` and `health_check`. Each is one call of the app's {@link PipelineHost}.
 */
export function pipelineRoutes(app: ServedApp, guard: RouteGuard): Hono {
  const routes = new Hono()
  const { host } = app
  const pipelineOf = (c: Context) => host.getPipeline(c.req.param('name') ?? '')

  routes.post(
    '/pipelines/:name/main',
    guard(
      async (c) => {
        const pipeline = pipelineOf(c)
        if (app.useWorkers || pipeline.useWorker) await checkRoomBeforeReading(app, pipeline, c)
        const body = parseMainBody(await readJsonBody(c))
        // The Python client sends `null` for "no input": the op then receives undefined.
        const input = body.pipeline_input ?? undefined
        if (app.useWorkers || pipeline.useWorker || body.use_worker === true) {
          return c.json(await callInWorker(app, pipeline, input))
        }
        const { value, versions } = await host.run(pipeline.name, input)
        return c.json({
          pipeline_output: value ?? null,
          versions,
          job_id: null,
          job_status: 'done',
        } satisfies PipelineCallWire)
      },
      { body: true },
    ),
  )

  const bodyRoute = (
    route: string,
    handler: (c: Context, pipeline: Pipeline, body: unknown) => Promise<Response>,
  ) =>
    routes.post(
      `/pipelines/:name/${route}`,
      guard(
        async (c) => {
          const pipeline = pipelineOf(c)
          return handler(c, pipeline, await readJsonBody(c, { allowEmpty: true }))
        },
        { body: true },
      ),
    )

  // Answers the states written and the versions; `{}` of the Python client's reading stays valid.
  bodyRoute('save', async (c, pipeline, body) => {
    parseBody(EmptyBody, body)
    const { saved, versions } = await host.save(pipeline.name, {
      savedBy: `POST /pipelines/${pipeline.name}/save`,
    })
    return c.json({ saved, versions } satisfies SaveWire)
  })

  // 200 with `loaded: false` and the reason when a node has no saved state yet (the 0.2.4 client
  // reads a 419 from /load as a version error, and its scripts load before any training).
  bodyRoute('load', async (c, pipeline, body) => {
    const pin = parseBody(LoadBody, body)?.pin
    const result = await host.load(pipeline.name, pin ? { pin } : {})
    return c.json({
      loaded: result.loaded,
      ...(result.reason ? { reason: result.reason } : {}),
      versions: result.versions,
      states: result.states,
      // With an announcer: every other server's outcome; in step when each one loaded these states.
      ...(result.replicas
        ? { in_step: result.replicas.every((r) => r.status === 'loaded'), replicas: [...result.replicas] }
        : {}),
    } satisfies LoadWire)
  })

  bodyRoute('versions', async (c, pipeline, body) => {
    parseBody(EmptyBody, body)
    return c.json(versionsOf(pipeline))
  })

  routes.get(
    '/pipelines/:name/health_check',
    guard((c) => {
      const status = host.status(pipelineOf(c).name)
      if (!status.loaded) {
        throw new ChariotsError(
          ErrorCode.PIPELINE_NOT_LOADED,
          status.reason ?? `pipeline '${status.name}' is not loaded; train and save its models, then load it`,
          { details: { pipeline: status.name, ...(status.refused ? { refused: status.refused } : {}) } },
        )
      }
      return c.json({
        is_loaded: true,
        ...(status.refused
          ? { refused: status.refused, serving: 'the last good load; a newer load was refused' }
          : {}),
        loaded_at: status.loadedAt,
        states: status.states,
      } satisfies PipelineHealthWire)
    }),
  )
  return routes
}

/** Bodies from this size on are checked against the worker pool's limits before they are read. */
const EARLY_CHECK_BYTES = 64 * 1024

/**
 * For a call that goes to a worker with a large body: asks the pool whether it has room (by the
 * body's Content-Length) before the body is parsed; when it has none, reads the body without
 * keeping it and lets the pool's `QUEUE_FULL` answer, on a connection that stays open.
 */
async function checkRoomBeforeReading(app: ServedApp, pipeline: Pipeline, c: Context): Promise<void> {
  const bytes = Number(c.req.header('content-length') ?? 0)
  if (!app.workerPool || !(bytes >= EARLY_CHECK_BYTES)) return
  try {
    await app.workerPool.checkRoom(pipeline, bytes)
  } catch (err) {
    await discardBody(c.env)
    throw err
  }
}

async function callInWorker(app: ServedApp, pipeline: Pipeline, input: unknown): Promise<PipelineCallWire> {
  const pool = app.workerPool
  if (!pool) {
    throw new ChariotsError(
      ErrorCode.NO_WORKER_POOL,
      `pipeline '${pipeline.name}' was asked to run in a worker but the app has no workerPool; pass one to new Chariots(pipelines, { workerPool })`,
    )
  }
  if ((await pool.nWorkers()) === 0) {
    throw new ChariotsError(
      ErrorCode.NO_WORKER_ALIVE,
      `no worker is alive to run pipeline '${pipeline.name}'; start one with \`chariots worker <app module>\``,
    )
  }
  pipeline.parseInput(input) // a bad input is a 400 now, not a failed job later
  const jobId = await pool.executePipelineAsync(pipeline, input, app.host)
  app.jobFeed.track(jobId) // its events are kept from the queueing on, for GET /jobs/:id/events
  return { pipeline_output: null, versions: {}, job_id: jobId, job_status: 'queued' }
}
