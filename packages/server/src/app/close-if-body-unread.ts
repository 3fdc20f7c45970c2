import type { IncomingMessage, ServerResponse } from 'node:http'
import { lingerThenClose } from './linger-then-close.js'

/** What Hono's fetch receives as its second argument under @hono/node-server. */
interface NodeBindings {
  incoming?: IncomingMessage
  outgoing?: ServerResponse
}

/**
 * Marks the answer `Connection: close` when the request declared a body that has not fully
 * arrived: an early answer (401, 404, 413, a GET with a body). Node would otherwise read and
 * discard the rest to keep the connection alive, and a chunked body may never end. Once the answer
 * is written the socket is no longer read and closes after a short linger ({@link lingerThenClose}).
 * No-op without a Node socket (`app.request`, other runtimes) or once the answer's headers are out.
 *
 * @example
 * ```ts
 * app.onError((err, c) => { closeIfBodyUnread(c.env); return c.json(…, 401) })
 * ```
 */
export function closeIfBodyUnread(env: unknown): void {
  const { incoming, outgoing } = (env as NodeBindings | undefined) ?? {}
  if (!incoming || !outgoing) return
  const { 'content-length': length, 'transfer-encoding': encoding } = incoming.headers
  const declaresBody = encoding !== undefined || (length !== undefined && length !== '0')
  if (!declaresBody || incoming.complete || outgoing.headersSent) return
  outgoing.setHeader('connection', 'close')
  const socket = incoming.socket
  outgoing.once('finish', () => {
    // Node ends the socket for `Connection: close` and destroys it once written (destroySoon):
    // keep it open, unread, a little longer instead.
    socket.removeListener('finish', socket.destroy)
    if (!socket.destroyed) lingerThenClose(socket)
  })
}
