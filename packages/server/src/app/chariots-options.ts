import type {
  Announcer,
  BaseRunner,
  BaseSaver,
  PipelineCallback,
  PipelineHost,
  StateStore,
} from '@chariots/core'
import type { BaseWorkerPool } from '@chariots/workers'
import type { Logger } from 'pino'
import type { AuthOptions } from './bearer-auth.js'
import type { AllowedHosts } from './host-check.js'

/** The CORS settings of hono/cors (`origin`, `allowMethods`, `allowHeaders`, `credentials`, …). */
export type CorsOptions = NonNullable<Parameters<typeof import('hono/cors').cors>[0]>

/** Options of {@link Chariots}. */
export interface ChariotsOptions {
  /** Root folder of a `FileSaver` holding the store and the data files (give this or `saver`). */
  path?: string
  /** The saver holding the store and the data files (give this or `path`). */
  saver?: BaseSaver
  /** Where saved states live (default: the folder store on the saver). */
  store?: StateStore
  /**
   * How the app's servers reach each other (`PostgresAnnouncer`): a `/load` then loads the same
   * states on every server and answers each one's outcome. `storeFromEnv()` gives one with PostgreSQL.
   */
  announcer?: Announcer
  /** With an announcer: a training job's save reloads what uses it on every server. Default false. */
  autoReload?: boolean
  /** A lifecycle host built elsewhere (then `path`, `saver`, `store`, `runner` and callbacks are its own). */
  host?: PipelineHost
  /** How long a save or a load waits for a pipeline busy with a run before answering 503 TIMEOUT (default 10 s). */
  busyTimeoutMs?: number
  /** Load every pipeline at construction (default true; worker processes leave it off). */
  autoLoad?: boolean
  /** Runs every synchronous call (default `SequentialRunner`). */
  runner?: BaseRunner
  /** Pipeline callbacks added to every run (workers' runs included). */
  defaultPipelineCallbacks?: PipelineCallback[]
  /** Where calls asking for a worker go; the app attaches itself to it. */
  workerPool?: BaseWorkerPool
  /** Run every call in a worker. */
  useWorkers?: boolean
  /**
   * Largest request body in bytes on routes other than a pipeline's (default 10 MB); larger ones
   * get 413 `BODY_TOO_LARGE`. A lower value also lowers the default of `pipelineBodyLimit`.
   */
  bodyLimit?: number
  /**
   * Largest request body in bytes on a pipeline's routes (`POST /pipelines/:name/main`, save,
   * load, versions), unless the pipeline sets its own `bodyLimit`: default 1 MB (or `bodyLimit`
   * when that is lower).
   */
  pipelineBodyLimit?: number
  /**
   * Host names answered on a loopback address besides localhost, 127.x and [::1]; `true` answers
   * any Host. Other Hosts get 421 `HOST_NOT_ALLOWED` (a guard against DNS rebinding). Default none.
   */
  allowedHosts?: AllowedHosts
  /** Serve the dashboard at `/ui/` (default true; behind `auth` when that is set). */
  ui?: boolean
  /** Require a bearer token on every route. */
  auth?: AuthOptions
  /** Answer CORS requests (off unless given; `true` allows every origin). */
  cors?: boolean | CorsOptions
  /** Add stack traces to error bodies (off by default: they leak internals). */
  debug?: boolean
  /** Logs loading problems and server errors. */
  logger?: Logger
}
