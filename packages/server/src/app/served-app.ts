import type { Pipeline, PipelineHost } from '@chariots/core'
import type { BaseWorkerPool } from '@chariots/workers'
import type { Logger } from 'pino'
import type { JobFeed } from './job-feed.js'

/**
 * What the route sub-apps need of the app that mounts them (`Chariots` is one): the routes never
 * import the app's class, so `chariots.ts` imports them and nothing imports it back.
 *
 * @example
 * ```ts
 * this.route('/', pipelineRoutes(this, guard)) // in Chariots' constructor
 * ```
 */
export interface ServedApp {
  /** The lifecycle of the app's pipelines. */
  readonly host: PipelineHost
  /** The pipelines served, by name. */
  readonly pipelines: ReadonlyMap<string, Pipeline>
  readonly workerPool: BaseWorkerPool | undefined
  /** Every call runs in a worker. */
  readonly useWorkers: boolean
  /** The job events this server knows, for the SSE routes. */
  readonly jobFeed: JobFeed
  readonly logger: Logger | undefined
}
