/**
 * The string codes a {@link ChariotsError} carries. Core knows nothing of HTTP: the server maps
 * each code to a status in one table.
 */
export const ErrorCode = {
  INVALID_GRAPH: 'INVALID_GRAPH',
  INVALID_INPUT: 'INVALID_INPUT',
  INVALID_OUTPUT: 'INVALID_OUTPUT',
  INVALID_VERSION: 'INVALID_VERSION',
  INVALID_PATH: 'INVALID_PATH',
  INVALID_JSON: 'INVALID_JSON',
  INVALID_BODY: 'INVALID_BODY',
  OUTPUT_MISMATCH: 'OUTPUT_MISMATCH',
  VERSION_INCOMPATIBLE: 'VERSION_INCOMPATIBLE',
  PIPELINE_NOT_FOUND: 'PIPELINE_NOT_FOUND',
  PIPELINE_NOT_LOADED: 'PIPELINE_NOT_LOADED',
  NOT_FOUND: 'NOT_FOUND',
  JOB_NOT_FOUND: 'JOB_NOT_FOUND',
  NO_WORKER_POOL: 'NO_WORKER_POOL',
  NO_WORKER_ALIVE: 'NO_WORKER_ALIVE',
  OP_FAILED: 'OP_FAILED',
  /** A save of a pipeline whose stateful ops hold no state yet (never trained, never loaded). */
  NOTHING_TO_SAVE: 'NOTHING_TO_SAVE',
  /** A retrain plan that cannot make its pipeline loadable (a node no pipeline of the app trains). */
  PLAN_INCOMPLETE: 'PLAN_INCOMPLETE',
  /** An op class is declared wrong (e.g. a model op's static `modelClass` is not a model class). */
  INVALID_OP: 'INVALID_OP',
  /** A model was asked to predict or export before it was trained (or loaded). */
  MODEL_NOT_FITTED: 'MODEL_NOT_FITTED',
  STORE_ERROR: 'STORE_ERROR',
  /** A backend the app needs to answer (the Redis of a worker pool) cannot be reached right now. */
  BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
  SERIALIZATION_ERROR: 'SERIALIZATION_ERROR',
  UNAUTHORIZED: 'UNAUTHORIZED',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  TIMEOUT: 'TIMEOUT',
  INTERNAL: 'INTERNAL',
  // The HTTP edge: requests refused before any route runs, and start-up mistakes of the CLI.
  /** A `Host` header that is not allowed (a guard against DNS rebinding on a loopback server). */
  HOST_NOT_ALLOWED: 'HOST_NOT_ALLOWED',
  /** A body that is not JSON in UTF-8, or a body-less POST without a JSON content type. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** A method the route does not answer (the route exists for others). */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** A request line and headers larger than the HTTP parser allows (a URL over 16 KB). */
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  /** Bytes the HTTP parser refuses (a bad method, bare LF, Content-Length with Transfer-Encoding). */
  MALFORMED_REQUEST: 'MALFORMED_REQUEST',
  /** A request whose headers or body did not arrive within the server's timeouts. */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** An app module that does not exist, does not load, or exports no app. */
  INVALID_APP_MODULE: 'INVALID_APP_MODULE',
  /** The port or address `chariots serve` was asked to listen on cannot be used. */
  LISTEN_FAILED: 'LISTEN_FAILED',
  /** `chariots worker` on an app whose pool runs its jobs inside the server process. */
  WORKERS_IN_SERVER: 'WORKERS_IN_SERVER',
} as const

/** One of the {@link ErrorCode} values, or a code of a user's own. */
export type ErrorCodeName = (typeof ErrorCode)[keyof typeof ErrorCode] | (string & {})

/** Options of a {@link ChariotsError}. */
export interface ChariotsErrorOptions {
  cause?: unknown
  /** Structured facts about the error (a node name, a path), sent along in JSON bodies. */
  details?: Record<string, unknown>
}

/**
 * The one error class of Chariots: a string `code` callers branch on, and a message that names
 * the thing that went wrong and how to fix it.
 *
 * @example
 * ```ts
 * throw new ChariotsError('INVALID_GRAPH', "node 'pca' needs input 'x_raw', which no earlier node produces")
 * ```
 */
export class ChariotsError extends Error {
  override readonly name: string = 'ChariotsError'
  readonly code: ErrorCodeName
  readonly details: Record<string, unknown> | undefined

  constructor(code: ErrorCodeName, message: string, options: ChariotsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.details = options.details
  }

  /** The JSON form sent in error bodies: `{ code, message }` plus details when present. */
  toJSON(): { code: string; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }

  /** Whether `value` is a ChariotsError (also across copies of this package). */
  static is(value: unknown): value is ChariotsError {
    return (
      value instanceof ChariotsError ||
      (value instanceof Error && typeof (value as { code?: unknown }).code === 'string' && 'toJSON' in value)
    )
  }
}

/**
 * A pipeline refuses to load a model trained on an outdated version of an upstream model.
 * Code `VERSION_INCOMPATIBLE` (HTTP 419 in the server).
 *
 * @example
 * ```ts
 * try { await pipeline.load(store) } catch (e) { if (e instanceof VersionError) retrainDownstream() }
 * ```
 */
export class VersionError extends ChariotsError {
  override readonly name = 'VersionError'
  constructor(message: string, options: ChariotsErrorOptions = {}) {
    super(ErrorCode.VERSION_INCOMPATIBLE, message, options)
  }
}
