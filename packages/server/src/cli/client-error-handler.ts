import { maxHeaderSize, STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import { ChariotsError } from '@chariots/core'
import { lingerThenClose } from '../app/linger-then-close.js'
import { type KnownErrorCode, ServerErrorCode } from '../errors/server-error-code.js'
import { statusForCode } from '../errors/status-for-code.js'
import type { ErrorBody } from '../wire/error-body-wire.js'

/** The limits named in the messages of {@link createClientErrorHandler}. */
export interface ClientErrorLimits {
  headersTimeoutMs: number
  requestTimeoutMs: number
}

/** A parser error as Node passes it to `clientError`. */
type ParserError = Error & { code?: string; reason?: string }

/**
 * A `clientError` listener for a Node HTTP server: answers what the HTTP parser refused, or a
 * request that timed out, with the JSON error body and `Connection: close`, then stops reading
 * and closes the socket after a short linger. Node's own answer has an empty body. A reset connection, or one whose answer already
 * started, is only closed.
 *
 * @example
 * ```ts
 * server.on('clientError', createClientErrorHandler({ headersTimeoutMs: 10_000, requestTimeoutMs: 60_000 }))
 * ```
 */
export function createClientErrorHandler(limits: ClientErrorLimits): (err: Error, socket: Duplex) => void {
  return (err, socket) => {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage
    if ((err as ParserError).code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy()
      return
    }
    const error = toChariotsError(err as ParserError, limits)
    const status = statusForCode(error.code)
    const body: ErrorBody = { error: { code: error.code, message: error.message } }
    const json = JSON.stringify(body)
    const head = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(json)}`,
      'Connection: close',
    ]
    socket.end(`${head.join('\r\n')}\r\n\r\n${json}`)
    lingerThenClose(socket)
  }
}

function toChariotsError(err: ParserError, limits: ClientErrorLimits): ChariotsError<KnownErrorCode> {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ChariotsError<KnownErrorCode>(
        ServerErrorCode.HEADERS_TOO_LARGE,
        `the request line and headers are larger than ${maxHeaderSize} bytes (a URL over 16 KB, or too many headers); ` +
          'send large inputs as JSON in the body of a POST instead',
      )
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ChariotsError<KnownErrorCode>(
        ServerErrorCode.REQUEST_TIMEOUT,
        `the request did not arrive in time: headers must arrive within ${limits.headersTimeoutMs} ms and the whole ` +
          `request within ${limits.requestTimeoutMs} ms; send it faster, or raise the server's limits ` +
          '(chariots serve --headers-timeout-ms / --request-timeout-ms)',
      )
    case 'HPE_INVALID_METHOD':
      return new ChariotsError<KnownErrorCode>(
        ServerErrorCode.MALFORMED_REQUEST,
        'the request method is not a valid HTTP method; use GET or POST (see GET /openapi.json)',
      )
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_TRANSFER_ENCODING':
      if (!/content-length/i.test(err.reason ?? '')) break
      return new ChariotsError<KnownErrorCode>(
        ServerErrorCode.MALFORMED_REQUEST,
        'the request has both Content-Length and Transfer-Encoding; send only one of them',
      )
  }
  return new ChariotsError<KnownErrorCode>(
    ServerErrorCode.MALFORMED_REQUEST,
    `the request is not valid HTTP/1.1 (${(err.reason ?? err.code ?? err.message).slice(0, 100)}); ` +
      'end lines with CRLF and send well-formed headers',
  )
}
