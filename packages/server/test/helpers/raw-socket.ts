// Raw TCP exchanges with a server on 127.0.0.1, for what node:http's client cannot send or see:
// malformed requests, bodies that never end, and who closed the connection.
import { connect } from 'node:net'

/** An HTTP answer read off a raw socket. */
export interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: string
}

/** Parses the first complete HTTP/1.1 answer (with a Content-Length) in `bytes`, or null. */
export function parseAnswer(bytes: Buffer): RawAnswer | null {
  const end = bytes.indexOf('\r\n\r\n')
  if (end < 0) return null
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const length = Number(headers['content-length'] ?? 0)
  const body = bytes.subarray(end + 4)
  if (body.length < length) return null
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: body.subarray(0, length).toString('utf8'),
  }
}

/**
 * Writes `bytes`, then reads until the server closes the connection (or `timeoutMs`); answers the
 * first HTTP answer and whether the server closed the socket.
 */
export function exchange(
  port: number,
  bytes: string | Buffer,
  timeoutMs = 10_000,
): Promise<{ answer: RawAnswer | null; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    let closedByServer = false
    const timer = setTimeout(() => socket.destroy(), timeoutMs)
    socket.on('data', (d: Buffer) => chunks.push(d))
    socket.on('end', () => {
      closedByServer = true
    })
    socket.on('error', () => {
      closedByServer = true // a reset from the server
    })
    socket.on('close', () => {
      clearTimeout(timer)
      resolve({ answer: parseAnswer(Buffer.concat(chunks)), closedByServer })
    })
    socket.write(bytes)
  })
}

/** What {@link endlessBody} saw. */
export interface EndlessBodyResult {
  answer: RawAnswer | null
  /** Body bytes handed to the socket before the server closed it (or the cap was reached). */
  bytesSent: number
  closedByServer: boolean
}

/**
 * Sends `head` (request line and headers, without the blank line), then a body that does not end
 * (64 KB chunks, framed as chunked when `chunked`), reading answers as they come, until the server
 * closes the connection, `capBytes` were sent, or `timeoutMs` passed. A server that keeps reading
 * after its answer lets the client send up to the cap.
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
    const received: Buffer[] = []
    let bytesSent = 0
    let closedByServer = false
    let done = false
    const finish = () => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ answer: parseAnswer(Buffer.concat(received)), bytesSent, closedByServer })
    }
    const timer = setTimeout(finish, options.timeoutMs)
    socket.on('data', (d: Buffer) => received.push(d))
    socket.on('end', () => {
      closedByServer = true
      finish()
    })
    socket.on('error', () => {
      closedByServer = true
      finish()
    })
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
