import type { ErrorCodeName } from '@chariots/core'

/**
 * The codes only the server package mints: its HTTP edge (requests refused before or around a
 * route), its client (an answer it cannot read) and its CLI. Core's {@link ErrorCodeName} codes are
 * the rest; {@link KnownErrorCode} is both, the closed set the status table covers.
 *
 * @example
 * ```ts
 * throw new ChariotsError<KnownErrorCode>(ServerErrorCode.UNAUTHORIZED, 'missing or wrong bearer token')
 * ```
 */
export const ServerErrorCode = {
  // The HTTP edge
  /** The body does not parse as JSON. */
  INVALID_JSON: 'INVALID_JSON',
  /** A body of the wrong shape (the field named), a job id that is not a UUID. */
  INVALID_BODY: 'INVALID_BODY',
  /** A missing or wrong bearer token. */
  UNAUTHORIZED: 'UNAUTHORIZED',
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
  // The client
  /** A server answer the client cannot read: not JSON, or not the shape of its route. */
  INVALID_RESPONSE: 'INVALID_RESPONSE',
  // The CLI (printed as `CODE: message`, never an HTTP answer)
  /** The port or address `chariots serve` was asked to listen on cannot be used. */
  LISTEN_FAILED: 'LISTEN_FAILED',
  /** `chariots worker` on an app whose pool runs its jobs inside the server process. */
  WORKERS_IN_SERVER: 'WORKERS_IN_SERVER',
  /** `chariots call`, `chariots plan`: no server answers at the URL. */
  UNREACHABLE: 'UNREACHABLE',
  /** `chariots new` found a package of the checkout without its build (`dist/`). */
  NOT_BUILT: 'NOT_BUILT',
  /** `pnpm pack` could not pack the checkout's packages for `chariots new`. */
  PACK_FAILED: 'PACK_FAILED',
  /** `chariots serve --workers N`: a server process of the cluster could not start. */
  PROCESS_START_FAILED: 'PROCESS_START_FAILED',
} as const

/** One of the {@link ServerErrorCode} values. */
export type ServerErrorCodeName = (typeof ServerErrorCode)[keyof typeof ServerErrorCode]

/**
 * Every code this version of Chariots mints: core's (and the worker pools') and the server's. A
 * closed union: `STATUS_FOR_CODE` must list each one, or the server does not compile.
 */
export type KnownErrorCode = ErrorCodeName | ServerErrorCodeName

/**
 * A code as an error body carries it: one this version knows, or another (a code of a user's own,
 * or one of a newer server), kept as it came.
 */
export type WireErrorCode = KnownErrorCode | (string & {})
