import { connect } from 'node:net'

/** An answer read off a raw socket, and who closed it. */
export interface RawExchange {
  /** 0 when no answer came. */
  status: number
  headers: Record<string, string>
  body: string
  closedByServer: boolean
}

/**
 * Writes `bytes` on a fresh TCP connection (no HTTP client in between: malformed requests go out
 * as written), then reads until the server closes it or `timeoutMs` passes.
 *
 * @example
 * ```ts
 * const r = await rawExchange(port, 'FETCH / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
 * r.status // 400
 * ```
 */
export function rawExchange(port: number, bytes: string, timeoutMs = 10_000): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let text = ''
    let closedByServer = false
    const timer = setTimeout(() => socket.destroy(), timeoutMs)
    socket.on('data', (d: Buffer) => {
      text += d.toString('utf8')
    })
    for (const event of ['end', 'error'] as const) {
      socket.on(event, () => {
        closedByServer = true
      })
    }
    socket.on('close', () => {
      clearTimeout(timer)
      const end = text.indexOf('\r\n\r\n')
      const [statusLine = '', ...lines] = (end < 0 ? '' : text.slice(0, end)).split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of lines) {
        const colon = line.indexOf(':')
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
      }
      const status = Number(statusLine.split(' ')[1] ?? 0) || 0
      resolve({ status, headers, body: end < 0 ? '' : text.slice(end + 4), closedByServer })
    })
    socket.write(bytes)
  })
}
