import type { IncomingMessage } from 'node:http'

/**
 * Reads the rest of the request body and throws it away, chunk by chunk (nothing is kept), so an
 * answer refusing a large body (a full worker pool) keeps the connection alive without parsing
 * megabytes. The route's body limit still bounds what is read; gives up after `timeoutMs` (the
 * answer then closes the connection instead). No-op without a Node socket (`app.request`).
 *
 * @example
 * ```ts
 * await discardBody(c.env)
 * throw queueFull
 * ```
 */
export async function discardBody(env: unknown, timeoutMs = 10_000): Promise<void> {
  const incoming = (env as { incoming?: IncomingMessage } | undefined)?.incoming
  if (!incoming || incoming.complete || incoming.readableEnded) return
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, timeoutMs)
    function done() {
      clearTimeout(timer)
      incoming!.off('end', done).off('close', done).off('error', done)
      resolve()
    }
    incoming.on('end', done).on('close', done).on('error', done)
    incoming.resume()
  })
}
