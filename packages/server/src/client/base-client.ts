import { ChariotsError, type Pipeline, type RetrainPlan, type Version } from '@chariots/core'
import { isFinished } from '@chariots/workers'
import { type KnownErrorCode, ServerErrorCode } from '../errors/server-error-code.js'
import { parseWire } from '../wire/parse-wire.js'
import { AvailablePipelinesWire, HealthCheckWire, PipelineHealthWire } from '../wire/pipeline-route-wire.js'
import { errorFromResponse } from './error-from-response.js'
import { type JobEventsOptions, type JobUpdate, readJobEvents } from './job-events.js'
import { type PipelineResponse, parseVersions, toPipelineResponse } from './pipeline-response.js'

/** Sends a request and resolves to the response: `globalThis.fetch`, or `(req) => app.request(req)`. */
export type FetchLike = (request: Request) => Response | Promise<Response>

/** A pipeline, or its name. */
export type PipelineRef = Pipeline | string

/** Options of every client. */
export interface ClientOptions {
  /** Sent as `Authorization: Bearer <token>` (for an app with `auth`). */
  token?: string
  /** Extra headers on every request. */
  headers?: Record<string, string>
}

/** Options of {@link BaseClient.waitForJob}. */
export interface WaitForJobOptions {
  /** Overall time to wait before answering the job's current state (default 60 s). */
  timeoutMs?: number
}

/** Longest a single wait request holds, so proxies with idle timeouts do not cut it. */
const WAIT_CHUNK_MS = 25_000

/**
 * The one client implementation: builds requests, sends them through a `fetch`-like function and
 * reads the answers (errors come back as the `ChariotsError`s of their body's code, with the body's
 * `details` and `details.status`: `VersionError` for `VERSION_INCOMPATIBLE`, `PipelineNotLoadedError`
 * for `PIPELINE_NOT_LOADED`, see {@link errorFromResponse}). `Client` sends
 * over HTTP; `TestClient` (in @chariots/testing) sends to `app.request` with no socket.
 *
 * @example
 * ```ts
 * const client = new BaseClient('http://127.0.0.1:5000', (req) => fetch(req))
 * const { value } = await client.callPipeline('is_odd', 4) // false
 * ```
 */
export class BaseClient {
  readonly baseUrl: string
  readonly #fetch: FetchLike
  readonly #headers: Record<string, string>

  constructor(baseUrl: string, fetch: FetchLike, options: ClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '')
    this.#fetch = fetch
    this.#headers = { ...options.headers }
    if (options.token !== undefined) this.#headers.authorization = `Bearer ${options.token}`
  }

  /** Runs the pipeline on `input` (in a worker when `useWorker`, answering a queued job). */
  async callPipeline<T = unknown>(
    pipeline: PipelineRef,
    input?: unknown,
    options: { useWorker?: boolean } = {},
  ): Promise<PipelineResponse<T>> {
    const body = {
      pipeline_input: input === undefined ? null : input,
      use_worker: options.useWorker === true,
    }
    const path = `${pipelinePath(pipeline)}/main`
    return toPipelineResponse<T>(await this.post(path, body), `POST ${path}`)
  }

  /** The state of a worker job (`pipeline` is accepted for symmetry with the Python client). */
  async fetchJob<T = unknown>(jobId: string, _pipeline?: PipelineRef): Promise<PipelineResponse<T>> {
    return toPipelineResponse<T>(await this.post('/jobs/fetch/', { job_id: jobId }), 'POST /jobs/fetch/')
  }

  /**
   * Holds until the job is done or failed (through `GET /jobs/:id/wait`), or until `timeoutMs`;
   * answers the job's latest state either way.
   */
  async waitForJob<T = unknown>(
    jobId: string,
    _pipeline?: PipelineRef,
    options: WaitForJobOptions = {},
  ): Promise<PipelineResponse<T>> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000)
    for (;;) {
      const left = Math.max(0, deadline - Date.now())
      const chunk = Math.min(left, WAIT_CHUNK_MS)
      const path = `/jobs/${encodeURIComponent(jobId)}/wait?timeout_ms=${chunk}`
      const response = toPipelineResponse<T>(await this.send('GET', path), `GET ${path}`)
      if (isFinished(response.jobStatus) || Date.now() >= deadline) return response
    }
  }

  /** Saves the pipeline's ops and links to the server's store. */
  async savePipeline(pipeline: PipelineRef): Promise<void> {
    await this.post(`${pipelinePath(pipeline)}/save`, null)
  }

  /** Makes the server reload its store and load the pipeline; `VersionError` when incompatible. */
  async loadPipeline(pipeline: PipelineRef): Promise<void> {
    await this.post(`${pipelinePath(pipeline)}/load`, null)
  }

  /** Whether the server has the pipeline loaded (false, not an error, when it answers 419). */
  async isPipelineLoaded(pipeline: PipelineRef): Promise<boolean> {
    try {
      const path = `${pipelinePath(pipeline)}/health_check`
      // Only the field the Python server sends too.
      const health = parseWire(
        PipelineHealthWire.pick({ is_loaded: true }),
        await this.send('GET', path),
        `GET ${path}`,
      )
      return health.is_loaded
    } catch (err) {
      if (err instanceof ChariotsError && err.details?.status === 419) return false
      throw err
    }
  }

  /** Each node's name → its version, on the server. */
  async pipelineVersions(pipeline: PipelineRef): Promise<Map<string, Version>> {
    const path = `${pipelinePath(pipeline)}/versions`
    return parseVersions(await this.post(path, null), `POST ${path}`)
  }

  /** Whether each pipeline is loaded (`GET /health_check`). */
  async healthCheck(): Promise<Record<string, boolean>> {
    return parseWire(HealthCheckWire, await this.send('GET', '/health_check'), 'GET /health_check')
  }

  /** The names of the pipelines the server serves. */
  async availablePipelines(): Promise<string[]> {
    return parseWire(
      AvailablePipelinesWire,
      await this.send('GET', '/available_pipelines'),
      'GET /available_pipelines',
    )
  }

  /**
   * Follows a job on its event stream (`GET /jobs/:id/events`): each change of status or progress,
   * until `done` or `failed` (the stream then ends). Resumes from `lastEventId`. Throws the server's
   * error (`JOB_NOT_FOUND`; `NOT_FOUND` from a server without the route).
   */
  jobEvents(jobId: string, options: JobEventsOptions = {}): AsyncGenerator<JobUpdate> {
    const path = `/jobs/${encodeURIComponent(jobId)}/events`
    return readJobEvents((headers, signal) => this.open(path, headers, signal), options)
  }

  /** What it takes to make the pipeline loadable (`GET /pipelines/:name/plan`). */
  async pipelinePlan(pipeline: PipelineRef): Promise<RetrainPlan> {
    return (await this.send('GET', `${pipelinePath(pipeline)}/plan`)) as RetrainPlan
  }

  /** Starts running the pipeline's plan as worker jobs, then a load (`POST /pipelines/:name/plan/run`). */
  async runPlan(pipeline: PipelineRef, inputs?: Record<string, unknown>): Promise<Record<string, unknown>> {
    return (await this.post(`${pipelinePath(pipeline)}/plan/run`, inputs ? { inputs } : null)) as Record<
      string,
      unknown
    >
  }

  /** The latest run of the pipeline's plan on the server (`GET /pipelines/:name/plan/run`). */
  async planRun(pipeline: PipelineRef): Promise<Record<string, unknown>> {
    return (await this.send('GET', `${pipelinePath(pipeline)}/plan/run`)) as Record<string, unknown>
  }

  /** The pipeline's graph: each node's and link's standing; `format` draws it (svg, dot, mermaid). */
  async pipelineGraph(pipeline: PipelineRef, format?: 'svg' | 'dot' | 'mermaid'): Promise<unknown> {
    if (!format) return this.send('GET', `${pipelinePath(pipeline)}/graph`)
    const response = await this.open(`${pipelinePath(pipeline)}/graph?format=${format}`, {})
    return response.text()
  }

  /** Opens a GET whose body the caller reads (a stream); throws the server's error otherwise. */
  protected async open(
    path: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Response> {
    const request = new Request(`${this.baseUrl}${path}`, {
      headers: { ...this.#headers, ...headers },
      ...(signal ? { signal } : {}),
    })
    const response = await this.#fetch(request)
    if (response.ok) return response
    const text = await response.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = null
    }
    throw errorFromResponse(response.status, json, text)
  }

  /** POSTs a JSON body to a path of the server and answers the parsed JSON. */
  protected post(path: string, body: unknown): Promise<unknown> {
    return this.send('POST', path, JSON.stringify(body))
  }

  /** Sends one request and answers the parsed JSON body; throws the server's error otherwise. */
  protected async send(method: string, path: string, body?: string): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.#headers }
    if (body !== undefined) headers['content-type'] = 'application/json'
    const request = new Request(`${this.baseUrl}${path}`, { method, headers, body: body ?? null })
    const response = await this.#fetch(request)
    const text = await response.text()
    let json: unknown
    try {
      json = text === '' ? null : JSON.parse(text)
    } catch {
      if (response.ok) {
        throw new ChariotsError<KnownErrorCode>(
          ServerErrorCode.INVALID_RESPONSE,
          `the server answered ${method} ${path} with text that is not JSON: ${text.slice(0, 200)}`,
        )
      }
    }
    if (!response.ok) throw errorFromResponse(response.status, json, text)
    return json
  }
}

function pipelinePath(pipeline: PipelineRef): string {
  const name = typeof pipeline === 'string' ? pipeline : pipeline.name
  return `/pipelines/${encodeURIComponent(name)}`
}
