import { ChariotsError, ErrorCode } from '@chariots/core'
import { isFinished, type JobStatus } from '@chariots/workers'
import { type Context, Hono } from 'hono'
import { type SSEStreamingApi, streamSSE } from 'hono/streaming'
import type { JobEvent, JobFeed } from './job-feed.js'
import { checkJobId, poolOf } from './job-routes.js'
import type { RouteGuard } from './route-guard.js'
import type { ServedApp } from './served-app.js'

/** A comment line every so often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000

/**
 * A sub-app serving the SSE routes: `GET /jobs/:id/events` (one job: `queued`, `running` with its progress,
 * then `done` or `failed`, after which the stream ends) and `GET /events` (every job of the app,
 * and `plan` events of plan runs; it does not end). Both replay what the client missed from
 * `Last-Event-ID` (or `?last_event_id=`, for a first connection that resumes). A finished job with
 * nothing left to replay answers 204, which tells an `EventSource` to stop reconnecting.
 */
export function jobEventRoutes(app: ServedApp, guard: RouteGuard, feed: JobFeed): Hono {
  const routes = new Hono()
  routes.get(
    '/jobs/:id/events',
    guard(async (c) => {
      const pool = poolOf(app)
      const jobId = checkJobId(c.req.param('id') ?? '', ErrorCode.INVALID_PATH)
      const afterId = lastEventId(c)
      await pool.getPipelineResponseForId(jobId) // an unknown job is a 404 before the stream starts
      if (feed.isDrained(jobId, afterId)) return c.body(null, 204)
      return streamSSE(c, (stream) =>
        pump(stream, feed, {
          subscribe: (listener) => feed.subscribeJob(jobId, afterId, listener),
          idOf: (event) => event.id,
          isLast: (event) => isFinished(event.event as JobStatus),
        }),
      )
    }),
  )
  routes.get(
    '/events',
    guard((c) => {
      const afterId = lastEventId(c)
      return streamSSE(c, (stream) =>
        pump(stream, feed, {
          subscribe: (listener) => feed.subscribeAll(afterId, listener),
          idOf: (event) => event.globalId,
          isLast: () => false,
        }),
      )
    }),
  )
  return routes
}

interface PumpOptions {
  subscribe: (listener: (event: JobEvent) => void) => () => void
  idOf: (event: JobEvent) => number
  isLast: (event: JobEvent) => boolean
}

/** Writes the events of a subscription in order until the last one, the client leaves, or the feed closes. */
async function pump(stream: SSEStreamingApi, feed: JobFeed, options: PumpOptions): Promise<void> {
  const queue: JobEvent[] = []
  let ended = false
  let wake: (() => void) | null = null
  const notify = () => {
    wake?.()
    wake = null
  }
  const end = () => {
    ended = true
    notify()
  }
  const unsubscribe = options.subscribe((event) => {
    queue.push(event)
    notify()
  })
  const offClose = feed.onClose(end)
  stream.onAbort(end)
  const heartbeat = setInterval(() => void stream.write(': keep-alive\n\n'), HEARTBEAT_MS)
  try {
    while (!ended) {
      const event = queue.shift()
      if (!event) {
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        continue
      }
      await stream.writeSSE({
        event: event.event,
        id: String(options.idOf(event)),
        data: JSON.stringify(event.data),
      })
      if (options.isLast(event)) return
    }
  } finally {
    clearInterval(heartbeat)
    unsubscribe()
    offClose()
  }
}

/** The id the client last received: the `Last-Event-ID` header, else `?last_event_id=`, else null. */
function lastEventId(c: Context): number | null {
  const text = c.req.header('last-event-id') ?? c.req.query('last_event_id')
  if (text === undefined || text === '') return null
  if (!/^\d{1,15}$/.test(text)) {
    throw new ChariotsError(
      ErrorCode.INVALID_PATH,
      `Last-Event-ID '${text.slice(0, 50)}' is not valid: expected the id of an event this stream sent (a whole number), or none to start from the beginning`,
    )
  }
  return Number(text)
}
