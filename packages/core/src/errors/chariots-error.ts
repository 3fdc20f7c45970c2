/**
 * The closed set of codes a {@link ChariotsError} of core, the worker pools and the app loader
 * carries. Core knows nothing of HTTP: the server adds the codes of its HTTP edge and its CLI
 * (`ServerErrorCode` in @chariots/server) and maps every code to a status in one exhaustive table.
 */
export const ErrorCode = {
  INVALID_GRAPH: 'INVALID_GRAPH',
  INVALID_INPUT: 'INVALID_INPUT',
  INVALID_OUTPUT: 'INVALID_OUTPUT',
  INVALID_VERSION: 'INVALID_VERSION',
  INVALID_PATH: 'INVALID_PATH',
  OUTPUT_MISMATCH: 'OUTPUT_MISMATCH',
  VERSION_INCOMPATIBLE: 'VERSION_INCOMPATIBLE',
  PIPELINE_NOT_FOUND: 'PIPELINE_NOT_FOUND',
  PIPELINE_NOT_LOADED: 'PIPELINE_NOT_LOADED',
  NOT_FOUND: 'NOT_FOUND',
  JOB_NOT_FOUND: 'JOB_NOT_FOUND',
  NO_WORKER_POOL: 'NO_WORKER_POOL',
  NO_WORKER_ALIVE: 'NO_WORKER_ALIVE',
  /** A worker pool holds as many queued jobs, or queued input bytes, as its limits allow: retry later. */
  QUEUE_FULL: 'QUEUE_FULL',
  /** A job input larger than the whole byte limit of a worker pool's queue (never fits, whatever waits). */
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  /** A job still running when its worker shut down, after the shutdown grace period. */
  WORKER_SHUTDOWN: 'WORKER_SHUTDOWN',
  /** A job whose worker stopped (killed, crashed, blocked past its lock) more than `maxStalledCount` times. */
  JOB_STALLED: 'JOB_STALLED',
  /** A job whose sandbox (worker thread or child process) exited, crashed or ran out of memory under it. */
  WORKER_DIED: 'WORKER_DIED',
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
  TIMEOUT: 'TIMEOUT',
  INTERNAL: 'INTERNAL',
  /** An app module that does not exist, does not load, or exports no app. */
  INVALID_APP_MODULE: 'INVALID_APP_MODULE',
} as const

/** One of the {@link ErrorCode} values (a closed union: a misspelt code does not compile). */
export type ErrorCodeName = (typeof ErrorCode)[keyof typeof ErrorCode]

/** Options of a {@link ChariotsError}. */
export interface ChariotsErrorOptions {
  cause?: unknown
  /** Structured facts about the error (a node name, a path), sent along in JSON bodies. */
  details?: Record<string, unknown>
}

/**
 * The one error class of Chariots: a string `code` callers branch on, and a message that names
 * the thing that went wrong and how to fix it. `C` is the set its code belongs to: core's
 * {@link ErrorCodeName} unless given, so `new ChariotsError('TYPO', …)` does not compile. A wider
 * set is named explicitly: the server mints its own codes as `ChariotsError<KnownErrorCode>`, and a
 * code of a user's own is `new ChariotsError<'MY_CODE'>('MY_CODE', …)`.
 *
 * @example
 * ```ts
 * throw new ChariotsError('INVALID_GRAPH', "node 'pca' needs input 'x_raw', which no earlier node produces")
 * ```
 */
export class ChariotsError<C extends string = ErrorCodeName> extends Error {
  override readonly name: string = 'ChariotsError'
  readonly code: C
  readonly details: Record<string, unknown> | undefined

  // NoInfer: the code does not widen C; a code outside the set is a type error.
  constructor(code: NoInfer<C>, message: string, options: ChariotsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.details = options.details
  }

  /** The JSON form sent in error bodies: `{ code, message }` plus details when present. */
  toJSON(): { code: C; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
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
export class VersionError extends ChariotsError<typeof ErrorCode.VERSION_INCOMPATIBLE> {
  override readonly name = 'VersionError'
  constructor(message: string, options: ChariotsErrorOptions = {}) {
    super(ErrorCode.VERSION_INCOMPATIBLE, message, options)
  }
}
