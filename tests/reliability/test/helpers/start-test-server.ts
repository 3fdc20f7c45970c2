import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { type RawRequestInit, type RawResponse, rawRequest } from './raw-request.js'

/** What a served app needs: Hono's fetch (a `Chariots` app has it). */
export interface FetchApp {
  fetch: (request: Request, ...rest: any[]) => Response | Promise<Response>
}

/** An app served on a real socket in this process. */
export interface TestServer {
  port: number
  /** `http://127.0.0.1:<port>` */
  url: string
  /** Sends a request with exact bytes (see {@link rawRequest}). */
  request(init: RawRequestInit): Promise<RawResponse>
  /** Body and header bytes the server's sockets received since the last {@link resetBytesRead}. */
  bytesRead(): number
  resetBytesRead(): void
  close(): Promise<void>
}

/**
 * Serves `app` with @hono/node-server on 127.0.0.1, on a free port, in this process (so a test can
 * look at the server's own globals afterwards, e.g. `Object.prototype`).
 *
 * @example
 * ```ts
 * const server = await startTestServer(new Chariots(pipelines, { path }))
 * const res = await server.request({ path: '/health_check' })
 * await server.close()
 * ```
 */
export async function startTestServer(app: FetchApp): Promise<TestServer> {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server))
  })
  let read = 0
  // Counting what the sockets delivered shows whether the server stopped reading a large body.
  server.on('connection', (socket) => {
    socket.on('data', (chunk: Buffer) => {
      read += chunk.length
    })
  })
  const port = (server.address() as AddressInfo).port
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    request: (init) => rawRequest(port, init),
    bytesRead: () => read,
    resetBytesRead: () => {
      read = 0
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
