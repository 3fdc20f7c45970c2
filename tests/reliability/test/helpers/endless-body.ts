import { connect } from 'node:net'

/** What {@link endlessBody} saw. */
export interface EndlessBodyResult {
  /** The status of the first answer, 0 when none came. */
  status: number
  /** The `Connection` header of that answer. */
  connection: string | undefined
  /** Body bytes handed to the socket before the server closed it (or the cap was reached). */
  bytesSent: number
  closedByServer: boolean
}

/**
 * Sends `head` (request line and headers, without the blank line), then a body that does not end
 * (64 KB chunks of spaces, framed as chunked when `chunked`), until the server closes the
 * connection, `capBytes` were sent, or `timeoutMs` passed. A server that keeps reading after its
 * answer lets the client send up to the cap; one that closes stops it within its socket buffers.
 *
 * @example
 * ```ts
 * const r = await endlessBody(port, 'GET /health_check HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked', { chunked: true, capBytes: 64 << 20, timeoutMs: 15_000 })
 * ```
 */
export function endlessBody(
  port: number,
  head: string,
  options: { chunked: boolean; capBytes: number; timeoutMs: number },
): Promise<EndlessBodyResult> {
  const chunk = Buffer.alloc(64 * 1024, 0x20)
  const frame = options.chunked
    ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
    : chunk
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    let bytesSent = 0
    let closedByServer = false
    let done = false
    const finish = () => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      const head = received.slice(0, Math.max(0, received.indexOf('\r\n\r\n')))
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
        connection: /\r\nconnection: *([^\r]*)/i.exec(head)?.[1],
        bytesSent,
        closedByServer,
      })
    }
    const timer = setTimeout(finish, options.timeoutMs)
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1')
    })
    for (const event of ['end', 'error'] as const) {
      socket.on(event, () => {
        closedByServer = true
        finish()
      })
    }
    socket.on('close', finish)
    socket.write(`${head}\r\n\r\n`)
    const pump = () => {
      while (!done && bytesSent < options.capBytes) {
        bytesSent += chunk.length
        if (!socket.write(frame)) {
          socket.once('drain', pump)
          return
        }
      }
      if (bytesSent >= options.capBytes) finish()
    }
    pump()
  })
}
