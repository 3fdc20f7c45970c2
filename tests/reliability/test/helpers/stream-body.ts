import { connect } from 'node:net'

/** Options of {@link streamBody}. */
export interface StreamBodyOptions {
  path: string
  /** Total bytes of the JSON body: `{"pipeline_input":"<spaces>"}`. */
  totalBytes: number
  /** Send `Transfer-Encoding: chunked` instead of a Content-Length. */
  chunked: boolean
}

/** What happened to a streamed body. */
export interface StreamBodyResult {
  status: number
  body: string
  /** Body bytes the client had handed to its socket when the first byte of the answer arrived. */
  bytesSentBeforeAnswer: number
}

const CHUNK = 64 * 1024

/**
 * POSTs a large JSON body in 64 KB chunks over a raw TCP socket, respecting back-pressure, and
 * stops sending as soon as the first byte of the answer arrives. A raw socket, because node:http's
 * client drops an answer it has not parsed yet when the server then resets the connection (EPIPE
 * on the next write), which is what a server does to stop a body it refuses.
 *
 * @example
 * ```ts
 * const r = await streamBody(port, { path: '/pipelines/echo/main', totalBytes: 50 << 20, chunked: true })
 * ```
 */
export function streamBody(port: number, options: StreamBodyOptions): Promise<StreamBodyResult> {
  const { path, totalBytes, chunked } = options
  const head = Buffer.from('{"pipeline_input":"')
  const tail = Buffer.from('"}')
  const spaces = Buffer.alloc(CHUNK, 0x20)
  const frame = (bytes: Buffer) =>
    chunked
      ? Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')])
      : bytes
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const received: Buffer[] = []
    let sent = 0
    let answeredAt = -1
    let settled = false
    const finish = () => {
      if (settled) return
      const parsed = parseResponse(Buffer.concat(received))
      if (!parsed) return
      settled = true
      socket.destroy()
      resolve({ ...parsed, bytesSentBeforeAnswer: answeredAt })
    }
    socket.on('data', (d: Buffer) => {
      if (answeredAt < 0) answeredAt = sent
      received.push(d)
      finish()
    })
    // EPIPE or ECONNRESET once the server stopped reading is expected; the answer decides.
    socket.on('error', () => undefined)
    socket.on('close', () => {
      finish()
      if (!settled)
        reject(new Error(`the connection closed after ${sent} body bytes with no complete answer`))
    })
    const length = chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${totalBytes}`
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${length}\r\n\r\n`,
    )
    socket.write(frame(head))
    sent += head.length
    const pump = () => {
      while (answeredAt < 0 && !socket.destroyed && sent < totalBytes - tail.length) {
        const n = Math.min(CHUNK, totalBytes - tail.length - sent)
        sent += n
        if (!socket.write(frame(n === CHUNK ? spaces : spaces.subarray(0, n)))) {
          socket.once('drain', () => setImmediate(pump))
          return
        }
      }
      if (answeredAt < 0 && !socket.destroyed && sent < totalBytes) {
        sent += tail.length
        socket.write(Buffer.concat([frame(tail), chunked ? Buffer.from('0\r\n\r\n') : Buffer.alloc(0)]))
      }
    }
    pump()
  })
}

/** The status and body of a complete HTTP/1.1 answer with a Content-Length, or null if incomplete. */
function parseResponse(bytes: Buffer): { status: number; body: string } | null {
  const end = bytes.indexOf('\r\n\r\n')
  if (end < 0) return null
  const headLines = bytes.subarray(0, end).toString('latin1').split('\r\n')
  const status = Number(headLines[0]?.split(' ')[1])
  const lengthLine = headLines.find((l) => /^content-length:/i.test(l))
  const length = lengthLine ? Number(lengthLine.split(':')[1]) : 0
  const body = bytes.subarray(end + 4)
  if (body.length < length) return null
  return { status, body: body.subarray(0, length).toString('utf8') }
}
