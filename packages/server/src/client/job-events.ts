import { ChariotsError, ErrorCode } from '@chariots/core'
import { type PipelineResponse, toPipelineResponse } from './pipeline-response.js'
import { readServerSentEvents } from './sse-reader.js'

/** One event of a job stream, read into a {@link PipelineResponse}. */
export interface JobUpdate {
  /** The event's id (what `lastEventId` resumes from). */
  readonly id: string | null
  readonly response: PipelineResponse
}

/** Options of `BaseClient.jobEvents`. */
export interface JobEventsOptions {
  /** Resume after this event id (the last one received). */
  lastEventId?: string
  /** Stops reading (the generator then ends). */
  signal?: AbortSignal
  /** Reconnections when the stream drops before the job ends (default 3). */
  reconnects?: number
}

type Open = (headers: Record<string, string>, signal?: AbortSignal) => Promise<Response>

/**
 * Reads a job's SSE stream into responses until the job is done or failed, reconnecting with
 * `Last-Event-ID` when the stream drops before (a server restart, a proxy), at most `reconnects`
 * times in a row without an event.
 */
export async function* readJobEvents(open: Open, options: JobEventsOptions): AsyncGenerator<JobUpdate> {
  let lastId = options.lastEventId
  let left = options.reconnects ?? 3
  for (;;) {
    const headers: Record<string, string> = { accept: 'text/event-stream' }
    if (lastId !== undefined) headers['last-event-id'] = lastId
    let response: Response
    try {
      response = await open(headers, options.signal)
    } catch (err) {
      if (options.signal?.aborted) return
      throw err
    }
    if (response.status === 204) return // the job had ended and nothing was left to send
    if (!response.headers.get('content-type')?.startsWith('text/event-stream') || !response.body) {
      throw new ChariotsError(
        ErrorCode.NOT_FOUND,
        'the server answered the job event stream with something else than text/event-stream; it may predate GET /jobs/:id/events',
      )
    }
    try {
      for await (const event of readServerSentEvents(response.body, options.signal)) {
        if (event.id !== null) lastId = event.id
        left = options.reconnects ?? 3
        const update = {
          id: event.id,
          response: toPipelineResponse(JSON.parse(event.data), 'an event of the job stream'),
        }
        yield update
        if (update.response.jobStatus === 'done' || update.response.jobStatus === 'failed') return
      }
    } catch (err) {
      if (options.signal?.aborted) return
      if (left <= 0) throw err
    }
    if (options.signal?.aborted) return
    if (left-- <= 0) {
      throw new ChariotsError(
        ErrorCode.BACKEND_UNAVAILABLE,
        'the job event stream kept ending before the job did',
      )
    }
  }
}
