// Job statuses, re-exported from @chariots/workers for worker tests (`r.jobStatus === JobStatus.done`)

export { JobStatus } from '@chariots/workers'

// The app and its options

export type { AuthOptions } from './app/bearer-auth.js'
export { Chariots } from './app/chariots.js'
export type { ChariotsOptions, CorsOptions } from './app/chariots-options.js'
export type { AllowedHosts } from './app/host-check.js'
export { buildOpenApi } from './app/openapi.js'

// Runs of retrain plans (POST /pipelines/:name/plan/run answers one)

export type { PlanRun, PlanRunStep } from './app/plan-runner.js'

// Serving it with @hono/node-server: the timeouts, caps and JSON parser errors of `chariots serve`

export {
  applyHttpServerLimits,
  DEFAULT_HTTP_SERVER_LIMITS,
  type HttpServerLimits,
} from './cli/http-server-limits.js'

// What a call answers (the Client itself is at '@chariots/server/client', free of Hono)

export type { PipelineResponse } from './client/pipeline-response.js'

// Errors: the JSON body and the one table from code to status

export {
  type KnownErrorCode,
  ServerErrorCode,
  type ServerErrorCodeName,
  type WireErrorCode,
} from './errors/server-error-code.js'
export { STATUS_FOR_CODE, statusForCode } from './errors/status-for-code.js'

// Pictures of a pipeline's DAG (what GET /pipelines/:name/graph?format= and `chariots viz` draw)

export { graphToSvg } from './graph/graph-svg.js'
export { graphToDot, graphToMermaid } from './graph/graph-text.js'
export type { GraphLink, GraphNode, PipelineGraph } from './graph/pipeline-graph.js'
export { layoutGraph } from './graph/pipeline-graph.js'

// One URL picks the store: a folder, PostgreSQL, or PostgreSQL with the bytes in S3

export type { EnvStore, StoreFromEnvOptions } from './store/store-from-env.js'
export { storeFromEnv } from './store/store-from-env.js'

// The wire: the JSON body of every error answer

export type { ErrorBody } from './wire/error-body-wire.js'
