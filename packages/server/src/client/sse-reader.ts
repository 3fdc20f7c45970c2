/** One server-sent event. */
export interface ServerSentEvent {
  /** The `id:` field, or null when the event had none. */
  readonly id: string | null
  /** The `event:` field (`message` when absent). */
  readonly event: string
  /** The `data:` lines, joined by newlines. */
  readonly data: string
}

/**
 * Reads a `text/event-stream` body event by event (the EventSource format: `event:`, `data:`,
 * `id:` fields, a blank line ends an event, `:` starts a comment). Ends when the body ends, or
 * when `signal` aborts (the body is cancelled then, whatever the fetch did with the signal).
 *
 * @example
 * ```ts
 * const response = await fetch(`${url}/jobs/${jobId}/events`)
 * for await (const e of readServerSentEvents(response.body!)) console.log(e.event, JSON.parse(e.data))
 * ```
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder()
  const reader = body.getReader()
  const cancel = () => void reader.cancel().catch(() => undefined)
  if (signal?.aborted) cancel()
  signal?.addEventListener('abort', cancel, { once: true })
  let buffer = ''
  let fields: { id: string | null; event: string; data: string[] } = { id: null, event: '', data: [] }
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      let end = buffer.search(/\r\n|\r|\n/)
      while (end >= 0) {
        const line = buffer.slice(0, end)
        buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1))
        if (line === '') {
          if (fields.data.length > 0 || fields.event !== '') {
            yield { id: fields.id, event: fields.event || 'message', data: fields.data.join('\n') }
          }
          fields = { id: null, event: '', data: [] }
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':')
          const name = colon < 0 ? line : line.slice(0, colon)
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
          if (name === 'data') fields.data.push(value)
          else if (name === 'event') fields.event = value
          else if (name === 'id') fields.id = value
        }
        end = buffer.search(/\r\n|\r|\n/)
      }
    }
  } finally {
    signal?.removeEventListener('abort', cancel)
    await reader.cancel().catch(() => undefined)
  }
}
