import {
  type Announcer,
  type BaseRunner,
  type BaseSaver,
  type Pipeline,
  PipelineHost,
  type RunOptions,
  type StateStore,
} from '@chariots/core'
import type { BaseWorkerPool } from '@chariots/workers'
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import type { Logger } from 'pino'
import { withClusterAnnouncer } from '../cluster/with-cluster-announcer.js'
import { createErrorHandler } from '../errors/error-handler.js'
import { errorResponse } from '../errors/error-response.js'
import { appRoutes } from './app-routes.js'
import { bearerAuth } from './bearer-auth.js'
import { bodyLimitFor } from './body-limit-for.js'
import type { ChariotsOptions } from './chariots-options.js'
import { closeIfBodyUnread } from './close-if-body-unread.js'
import { type AllowedHosts, createHostCheck } from './host-check.js'
import { jobEventRoutes } from './job-event-routes.js'
import { JobFeed } from './job-feed.js'
import { jobRoutes } from './job-routes.js'
import { limitBody } from './limit-body.js'
import { createNotFoundHandler } from './not-found-handler.js'
import { pipelineRoutes } from './pipeline-routes.js'
import { createPlanDetails } from './plan-details.js'
import { planRoutes } from './plan-routes.js'
import { PlanRunner } from './plan-runner.js'
import { probeRoutes } from './probe-routes.js'
import { registryRoutes } from './registry-routes.js'
import { createRouteGuard } from './route-guard.js'
import type { ServedApp } from './served-app.js'
import { uiRoutes } from './ui-routes.js'

/**
 * A Hono app serving pipelines with the routes of chariots (see docs/WIRE.md), `GET /openapi.json`
 * and the job routes: a thin HTTP adapter over a {@link PipelineHost}, which owns the lifecycle
 * (load, run, save, jobs). Every pipeline starts loading from the store at construction; requests
 * wait for it (`await app.ready()`). A pipeline that cannot load is served as not loaded, with
 * the reason.
 *
 * @example
 * ```ts
 * import { serve } from '@hono/node-server'
 * const app = new Chariots([isOddPipeline()], { path: './app_data' })
 * await app.ready()
 * serve({ fetch: app.fetch, port: 5000 })
 * ```
 */
export class Chariots extends Hono implements ServedApp {
  /** The lifecycle of the app's pipelines (what worker pools run jobs on). */
  readonly host: PipelineHost
  readonly workerPool: BaseWorkerPool | undefined
  readonly useWorkers: boolean
  readonly debug: boolean
  /** The job events this server knows, for the SSE routes (jobs it queues are followed from the start). */
  readonly jobFeed: JobFeed
  /** Host names answered on a loopback address (the option; `chariots serve --allowed-hosts` adds to it). */
  allowedHosts: AllowedHosts
  #logger: Logger | undefined
  #isReady = false

  constructor(pipelines: readonly Pipeline[], options: ChariotsOptions = {}) {
    super()
    this.#logger = options.logger
    this.host =
      options.host ??
      new PipelineHost(pipelines, {
        ...(options.path !== undefined ? { path: options.path } : {}),
        ...(options.saver ? { saver: options.saver } : {}),
        ...(options.store ? { store: options.store } : {}),
        // In a process of `chariots serve --workers N`, the processes keep each other in step too.
        ...announcerOption(withClusterAnnouncer(options.announcer)),
        ...(options.autoReload !== undefined ? { autoReload: options.autoReload } : {}),
        ...(options.runner ? { runner: options.runner } : {}),
        callbacks: options.defaultPipelineCallbacks ?? [],
        ...(options.logger ? { logger: options.logger } : {}),
        ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
        ...(options.autoLoad !== undefined ? { autoLoad: options.autoLoad } : {}),
      })
    this.workerPool = options.workerPool
    this.useWorkers = options.useWorkers === true
    this.debug = options.debug === true
    this.jobFeed = new JobFeed(this.workerPool)
    const planDetails = createPlanDetails(this.host)
    const onError = createErrorHandler({
      debug: this.debug,
      logger: () => this.#logger,
      moreDetails: (err, c) => planDetails(err, c).then((plan) => plan && { plan }),
    })
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
    const ready = this.host.ready().finally(() => {
      this.#isReady = true
    })
    const guard = createRouteGuard({
      isReady: () => this.#isReady,
      ready: () => ready,
      limitBody: limitBody(bodyLimitFor(this.pipelines, options)),
    })
    // Each group of routes is a sub-app of its own, mounted here (the route files never import this one).
    this.route('/', pipelineRoutes(this, guard))
    this.route('/', jobRoutes(this, guard))
    this.route('/', appRoutes(this, guard, { auth: options.auth !== undefined }))
    this.route(
      '/',
      probeRoutes(this, () => this.#isReady),
    )
    // The dashboard's routes (issue 16): planner, registry, job events, the page itself.
    this.route('/', planRoutes(this, guard, new PlanRunner(this, this.jobFeed)))
    this.route('/', registryRoutes(this, guard))
    this.route('/', jobEventRoutes(this, guard, this.jobFeed))
    if (options.ui !== false) this.route('/', uiRoutes(this, guard, { token: options.auth?.token }))
    this.workerPool?.attach(this.host)
  }

  /** Logs loading problems, jobs and server errors; the CLI sets its own when the app has none. */
  get logger(): Logger | undefined {
    return this.#logger
  }

  set logger(logger: Logger | undefined) {
    this.#logger = logger
    this.host.logger = logger
  }

  /** The pipelines served, by name. */
  get pipelines(): ReadonlyMap<string, Pipeline> {
    return this.host.pipelines
  }

  /** Where data files are read and written. */
  get saver(): BaseSaver {
    return this.host.saver
  }

  /** Where saved states live. */
  get store(): StateStore {
    return this.host.store
  }

  /** Runs every call. */
  get runner(): BaseRunner {
    return this.host.runner
  }

  /** Options of every run (the app's default pipeline callbacks). */
  get runOptions(): RunOptions {
    return this.host.runOptions
  }

  /** Resolves once every pipeline was loaded (or found unloadable); never rejects. */
  ready(): Promise<void> {
    return this.host.ready()
  }

  /** The pipeline of that name; throws `PIPELINE_NOT_FOUND` (404) when it is not served. */
  getPipeline(name: string): Pipeline {
    return this.host.getPipeline(name)
  }

  /** Ends the open event streams (`chariots serve` does before it waits for connections to close). */
  endEventStreams(): void {
    this.jobFeed.close()
  }

  /** Closes the event streams, the worker pool, if any, and the store's connections (the CLI calls this on shutdown). */
  async close(): Promise<void> {
    this.jobFeed.close()
    await this.workerPool?.close()
    await this.host.close()
  }
}

function announcerOption(announcer: Announcer | undefined): { announcer?: Announcer } {
  return announcer ? { announcer } : {}
}
