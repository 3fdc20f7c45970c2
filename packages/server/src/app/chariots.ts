import {
  type BaseRunner,
  type BaseSaver,
  ChariotsError,
  ErrorCode,
  FileSaver,
  OpStore,
  type Pipeline,
  type RunOptions,
  SequentialRunner,
} from '@chariots/core'
import type { BaseWorkerPool, WorkerApp } from '@chariots/workers'
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import type { Logger } from 'pino'
import { createErrorHandler } from '../errors/error-handler.js'
import { errorResponse } from '../errors/error-response.js'
import { appRoutes } from './app-routes.js'
import { bearerAuth } from './bearer-auth.js'
import { bodyLimitFor } from './body-limit-for.js'
import type { ChariotsOptions } from './chariots-options.js'
import { closeIfBodyUnread } from './close-if-body-unread.js'
import { type AllowedHosts, createHostCheck } from './host-check.js'
import { jobRoutes } from './job-routes.js'
import { limitBody } from './limit-body.js'
import { createNotFoundHandler } from './not-found-handler.js'
import { pipelineRoutes } from './pipeline-routes.js'
import { createRouteGuard } from './route-guard.js'

/**
 * A Hono app serving pipelines with the routes of chariots (see WIRE.md), `GET /openapi.json` and
 * the job routes. Every pipeline starts loading from the store at construction; requests wait for
 * it (`await app.ready()`). A pipeline that cannot load is served as not loaded, with the reason.
 *
 * @example
 * ```ts
 * import { serve } from '@hono/node-server'
 * const app = new Chariots([isOddPipeline()], { path: './app_data' })
 * await app.ready()
 * serve({ fetch: app.fetch, port: 5000 })
 * ```
 */
export class Chariots extends Hono implements WorkerApp {
  readonly saver: BaseSaver
  readonly store: OpStore
  readonly runner: BaseRunner
  readonly runOptions: RunOptions
  readonly workerPool: BaseWorkerPool | undefined
  readonly useWorkers: boolean
  readonly debug: boolean
  /** Logs loading problems and server errors; the CLI sets its own when the app has none. */
  logger: Logger | undefined
  /** Host names answered on a loopback address (the option; `chariots serve --allowed-hosts` adds to it). */
  allowedHosts: AllowedHosts
  /** The pipelines served, by name. */
  readonly pipelines: ReadonlyMap<string, Pipeline>
  readonly #ready: Promise<void>
  #isReady = false

  constructor(pipelines: readonly Pipeline[], options: ChariotsOptions = {}) {
    super()
    this.saver = saverFrom(options)
    this.store = new OpStore(this.saver)
    this.runner = options.runner ?? new SequentialRunner()
    this.runOptions = { callbacks: options.defaultPipelineCallbacks ?? [] }
    this.workerPool = options.workerPool
    this.useWorkers = options.useWorkers === true
    this.debug = options.debug === true
    this.logger = options.logger
    this.pipelines = byName(pipelines)
    const onError = createErrorHandler({ debug: this.debug, logger: () => this.logger })
    this.onError(onError)
    this.notFound(createNotFoundHandler(() => this.routes, onError))
    // The Host check wraps fetch rather than being a middleware: Hono keeps its one-handler fast path.
    this.allowedHosts = options.allowedHosts ?? []
    const checkHost = createHostCheck(() => this.allowedHosts)
    const dispatch = this.fetch
    this.fetch = (request, env, executionCtx) => {
      const refused = checkHost(env)
      if (!refused) return dispatch(request, env, executionCtx)
      closeIfBodyUnread(env)
      return errorResponse(refused)
    }
    if (options.cors) this.use('*', cors(options.cors === true ? {} : options.cors))
    if (options.auth) this.use('*', bearerAuth(options.auth))
    const guard = createRouteGuard({
      isReady: () => this.#isReady,
      ready: () => this.#ready,
      limitBody: limitBody(bodyLimitFor(this.pipelines, options)),
    })
    pipelineRoutes(this, guard)
    jobRoutes(this, guard)
    appRoutes(this, guard, { auth: options.auth !== undefined })
    this.workerPool?.attach(this)
    this.#ready = this.#loadAll().finally(() => {
      this.#isReady = true
    })
  }

  /** Resolves once every pipeline was loaded (or found unloadable); never rejects. */
  ready(): Promise<void> {
    return this.#ready
  }

  /** The pipeline of that name; throws `PIPELINE_NOT_FOUND` (404) when it is not served. */
  getPipeline(name: string): Pipeline {
    const pipeline = this.pipelines.get(name)
    if (pipeline) return pipeline
    const names = [...this.pipelines.keys()].join(', ') || '(none)'
    throw new ChariotsError(
      ErrorCode.PIPELINE_NOT_FOUND,
      `pipeline '${name.slice(0, 200)}' is not served here; available pipelines: ${names}`,
    )
  }

  /** Closes the worker pool, if any (the CLI calls this on shutdown). */
  async close(): Promise<void> {
    await this.workerPool?.close()
  }

  async #loadAll(): Promise<void> {
    let storeProblem: string | null = null
    try {
      await this.store.reload()
    } catch (err) {
      storeProblem = `the store could not be read: ${(err as Error).message}`
      this.logger?.error({ err }, storeProblem)
    }
    for (const pipeline of this.pipelines.values()) {
      try {
        if (storeProblem && pipeline.allNodes().some((n) => n.loadableOp)) throw new Error(storeProblem)
        await pipeline.prepare(this.saver)
        await pipeline.load(this.store)
        if (!pipeline.isLoaded)
          this.logger?.info({ pipeline: pipeline.name }, pipeline.notLoadedReason ?? 'not loaded')
      } catch (err) {
        pipeline.isLoaded = false
        pipeline.notLoadedReason = (err as Error).message
        this.logger?.warn({ pipeline: pipeline.name, err }, `pipeline '${pipeline.name}' could not be loaded`)
      }
    }
  }
}

function saverFrom(options: ChariotsOptions): BaseSaver {
  if (options.saver) return options.saver
  if (typeof options.path === 'string' && options.path !== '') return new FileSaver(options.path)
  throw new ChariotsError(
    ErrorCode.INVALID_INPUT,
    'new Chariots(pipelines, options) needs options.path (a folder) or options.saver',
  )
}

function byName(pipelines: readonly Pipeline[]): Map<string, Pipeline> {
  const map = new Map<string, Pipeline>()
  for (const p of pipelines) {
    if (map.has(p.name)) {
      throw new ChariotsError(
        ErrorCode.INVALID_GRAPH,
        `two pipelines are named '${p.name}'; pipeline names must be unique in an app`,
      )
    }
    map.set(p.name, p)
  }
  return map
}
