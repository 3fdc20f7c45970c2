import type { Duplex } from 'node:stream'

/** How long a socket whose answer was sent stays open, unread, before it is closed. */
export const LINGER_MS = 2_000

/**
 * Closes a socket whose answer is written without reading what the client still sends: it stops
 * reading (the client's writes then stall on TCP flow control, so the server takes in nothing more),
 * and closes it after {@link LINGER_MS}. Closing at once, with unread bytes, makes the kernel reset
 * the connection, and a reset can discard the answer before the client has read it.
 *
 * @example
 * ```ts
 * socket.end(answer)
 * lingerThenClose(socket)
 * ```
 */
export function lingerThenClose(socket: Duplex): void {
  socket.pause()
  const timer = setTimeout(() => socket.destroy(), LINGER_MS)
  timer.unref()
  socket.once('close', () => clearTimeout(timer))
}
