// The client side: no Hono in this import graph (a test checks the built files).

export {
  type KnownErrorCode,
  ServerErrorCode,
  type ServerErrorCodeName,
  type WireErrorCode,
} from '../errors/server-error-code.js'
export type { ClientOptions, FetchLike, PipelineRef, WaitForJobOptions } from './base-client.js'
export { BaseClient } from './base-client.js'
export type { HttpClientOptions } from './client.js'
export { Client } from './client.js'
export { errorFromResponse } from './error-from-response.js'
export type { JobEventsOptions, JobUpdate } from './job-events.js'
export type { PipelineResponse } from './pipeline-response.js'
export { parseVersions, toPipelineResponse } from './pipeline-response.js'
export type { ServerSentEvent } from './sse-reader.js'
export { readServerSentEvents } from './sse-reader.js'
