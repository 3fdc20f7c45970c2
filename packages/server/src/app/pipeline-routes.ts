import { ChariotsError, ErrorCode, OpStore, type Pipeline } from '@chariots/core'
import { withPipelineLock } from '@chariots/workers'
import type { Context } from 'hono'
import { EmptyBody, parseBody, parseMainBody } from './body-schemas.js'
import type { Chariots } from './chariots.js'
import { readJsonBody } from './read-json-body.js'
import type { RouteGuard } from './route-guard.js'
import { versionsRecord } from './versions-record.js'

/**
 * Registers the per-pipeline routes of docs/WIRE.md: `main`, `save`, `load`, `versions` and
 * `health_check` under `/pipelines/:name/`.
 */
export function pipelineRoutes(app: Chariots, guard: RouteGuard): void {
  const pipelineOf = (c: Context) => app.getPipeline(c.req.param('name') ?? '')

  app.post(
    '/pipelines/:name/main',
    guard(
      async (c) => {
        const pipeline = pipelineOf(c)
        const body = parseMainBody(await readJsonBody(c))
        // The Python client sends `null` for "no input": the op then receives undefined.
        const input = body.pipeline_input ?? undefined
        if (app.useWorkers || pipeline.useWorker || body.use_worker === true) {
          return c.json(await callInWorker(app, pipeline, input))
        }
        const output = await callNow(app, pipeline, input)
        const versions = versionsRecord(pipeline)
        return c.json({ pipeline_output: output ?? null, versions, job_id: null, job_status: 'done' })
      },
      { body: true },
    ),
  )

  const emptyBodyRoute = (route: string, handler: (c: Context, pipeline: Pipeline) => Promise<Response>) =>
    app.post(
      `/pipelines/:name/${route}`,
      guard(
        async (c) => {
          const pipeline = pipelineOf(c)
          parseBody(EmptyBody, await readJsonBody(c, { allowEmpty: true }))
          return handler(c, pipeline)
        },
        { body: true },
      ),
    )

  // Save and load are locked like worker jobs in this process, so they never land inside a job's
  // load → run → save. Plain calls are not locked: that would serialize every call of a pipeline.
  emptyBodyRoute('save', async (c, pipeline) => {
    // Through a store of its own: the links of a save that fails half-way (disk full after the
    // first model) must not stay in the app's store, where the next load would serve models the
    // client was told were not saved, and the next save of any pipeline would persist them.
    await withPipelineLock(pipeline, async () => {
      const store = new OpStore(app.saver)
      await store.reload()
      await pipeline.save(store)
    })
    return c.json({})
  })

  emptyBodyRoute('load', async (c, pipeline) => {
    await withPipelineLock(pipeline, async () => {
      await app.store.reload()
      await pipeline.prepare(app.saver)
      await pipeline.load(app.store)
    })
    return c.json({})
  })

  emptyBodyRoute('versions', async (c, pipeline) => c.json(versionsRecord(pipeline)))

  app.get(
    '/pipelines/:name/health_check',
    guard((c) => {
      const pipeline = pipelineOf(c)
      if (!pipeline.isLoaded) throw notLoaded(pipeline)
      return c.json({ is_loaded: true })
    }),
  )
}

async function callNow(app: Chariots, pipeline: Pipeline, input: unknown): Promise<unknown> {
  if (!pipeline.isLoaded) throw notLoaded(pipeline)
  try {
    return await app.runner.run(pipeline, input, app.runOptions)
  } catch (err) {
    if (ChariotsError.is(err)) throw err
    // An op threw: answer 500 with the op's own message.
    throw new ChariotsError(ErrorCode.OP_FAILED, err instanceof Error ? err.message : String(err), {
      cause: err,
    })
  }
}

async function callInWorker(app: Chariots, pipeline: Pipeline, input: unknown) {
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
  const jobId = await pool.executePipelineAsync(pipeline, input, app)
  return { pipeline_output: null, versions: {}, job_id: jobId, job_status: 'queued' }
}

function notLoaded(pipeline: Pipeline): ChariotsError {
  return new ChariotsError(
    ErrorCode.PIPELINE_NOT_LOADED,
    pipeline.notLoadedReason ?? `pipeline '${pipeline.name}' is not loaded; train and save it, then load it`,
  )
}
