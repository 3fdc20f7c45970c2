// The job event streams (GET /jobs/:id/events, GET /events) over real HTTP, on both pools: a
// client that connects mid-job gets what it missed from Last-Event-ID, and the stream ends after
// `done`. A gated op holds the job at known points, so "mid-job" is a fact, not a race.
import { randomUUID } from 'node:crypto'
import { BaseOp, Node, Pipeline, ReservedNodes } from '@chariots/core'
import { type RunningRedis, startRedis, WorkerContext } from '@chariots/testing'
import { InProcessWorkerPool, type JobResponse } from '@chariots/workers'
import { RQWorkerContext, RQWorkerPool } from '@chariots/workers-rq-like'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type PipelineResponse, readServerSentEvents, type ServerSentEvent } from '../src/client/index.js'
import { Chariots } from '../src/index.js'
import { type Opened, tempDir, transports } from './helpers/transports.js'

const overHttp = transports.find((t) => t.name.startsWith('Client'))!

/** Gates the running job waits at; the test opens them. */
const gates = new Map<string, () => void>()
const gate = (name: string) => new Promise<void>((resolve) => gates.set(name, resolve))
const open = async (name: string) => {
  while (!gates.has(name)) await new Promise((r) => setTimeout(r, 5))
  gates.get(name)!()
  gates.delete(name)
}

/** Reports 0.25, waits for gate `a`, reports 0.5, waits for gate `b`, answers. */
class GatedOp extends BaseOp {
  static override opName = 'gated'
  async execute(x: number) {
    this.reportProgress(0.25)
    await gate('a')
    this.reportProgress(0.5)
    await gate('b')
    return x * 2
  }
}
const gated = () =>
  new Pipeline(
    [
      new Node(new GatedOp(), {
        inputNodes: [ReservedNodes.pipelineInput],
        outputNodes: ReservedNodes.pipelineOutput,
      }),
    ],
    'gated',
  )

interface Stream {
  events: ServerSentEvent[]
  /** Resolves once an event matches. */
  until(match: (e: ServerSentEvent) => boolean): Promise<ServerSentEvent>
  /** Resolves when the server ended the stream. */
  ended: Promise<void>
  close(): void
}

/** Opens an SSE stream over HTTP and collects its events. */
async function follow(o: Opened, path: string, lastEventId?: string): Promise<Stream> {
  const abort = new AbortController()
  const headers: Record<string, string> = { accept: 'text/event-stream' }
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId
  const response = await o.raw(path, { headers, signal: abort.signal })
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
  const events: ServerSentEvent[] = []
  const waiters: (() => void)[] = []
  const ended = (async () => {
    try {
      for await (const e of readServerSentEvents(response.body!)) {
        events.push(e)
        for (const w of waiters.splice(0)) w()
      }
    } catch (err) {
      if (!abort.signal.aborted) throw err
    }
  })()
  return {
    events,
    ended,
    close: () => abort.abort(),
    async until(match) {
      for (;;) {
        const hit = events.find(match)
        if (hit) return hit
        await new Promise<void>((resolve) => waiters.push(resolve))
      }
    },
  }
}

const data = (e: ServerSentEvent) => JSON.parse(e.data) as Record<string, unknown>
const progressOf = (e: ServerSentEvent) => data(e).progress

interface PoolCase {
  name: string
  make(): Promise<{ app: Chariots; workers: WorkerContext }>
}

let redis: RunningRedis | undefined
const dirs: { remove(): Promise<void> }[] = []
const pools: PoolCase[] = [
  {
    name: 'InProcessWorkerPool',
    async make() {
      const dir = await tempDir()
      dirs.push(dir)
      const app = new Chariots([gated()], {
        path: dir.path,
        workerPool: new InProcessWorkerPool({ concurrency: 0 }),
      })
      return { app, workers: await WorkerContext.start(app) }
    },
  },
  {
    name: 'RQWorkerPool (real redis-server)',
    async make() {
      redis ??= await startRedis()
      const dir = await tempDir()
      dirs.push(dir)
      const pool = new RQWorkerPool({ connection: redis.url, queueName: `sse-${randomUUID()}` })
      const app = new Chariots([gated()], { path: dir.path, workerPool: pool })
      return { app, workers: await RQWorkerContext.start(app) }
    },
  },
]

afterAll(async () => {
  await redis?.stop()
  for (const d of dirs.splice(0)) await d.remove()
})

describe.each(pools)('job events on $name', (pool) => {
  let app: Chariots
  let workers: WorkerContext
  let o: Opened
  beforeAll(async () => {
    ;({ app, workers } = await pool.make())
    o = await overHttp.open(app)
  })
  afterEach(async () => {
    for (const name of [...gates.keys()]) await open(name)
  })
  afterAll(async () => {
    await o.close()
    await workers.close()
    await app.close()
  })

  const startJob = async () => {
    const { jobId } = await o.client.callPipeline('gated', 21, { useWorker: true })
    return jobId!
  }

  it('a client that connects mid-job gets the events it missed from Last-Event-ID, and the stream ends after done', async () => {
    const jobId = await startJob()
    const first = await follow(o, `/jobs/${jobId}/events`)
    await first.until((e) => progressOf(e) === 0.25)
    const lastSeen = first.events.at(-1)!.id!
    first.close()
    await first.ended

    // Progress 0.5 happens while that client is away; a watcher of GET /events shows when the
    // server has recorded it, so the next client can only get it as a replay.
    const watcher = await follow(o, '/events')
    await open('a')
    await watcher.until((e) => data(e).job_id === jobId && progressOf(e) === 0.5)
    watcher.close()
    const second = await follow(o, `/jobs/${jobId}/events`, lastSeen)
    const missed = await second.until((e) => progressOf(e) === 0.5)
    await open('b')
    await second.ended // the server ends the stream after `done`

    const ids = second.events.map((e) => Number(e.id))
    expect(ids[0]).toBe(Number(lastSeen) + 1) // nothing the client had, nothing skipped
    expect(ids).toEqual(ids.map((_, i) => ids[0]! + i))
    expect(missed.event).toBe('running')
    expect(second.events.at(-1)!.event).toBe('done')
    expect(data(second.events.at(-1)!)).toMatchObject({
      job_id: jobId,
      job_status: 'done',
      pipeline_output: 42,
    })
    const statuses = second.events.map((e) => e.event)
    expect(statuses.filter((s) => s === 'done')).toHaveLength(1)
    expect(statuses.slice(0, -1).every((s) => s === 'running')).toBe(true)

    // Reconnecting after the end has nothing to send: 204 tells an EventSource to stop.
    const after = await o.raw(`/jobs/${jobId}/events`, {
      headers: { 'last-event-id': second.events.at(-1)!.id! },
    })
    expect(after.status).toBe(204)
  })

  it('GET /events streams every job of the app and replays from Last-Event-ID', async () => {
    const all = await follow(o, '/events')
    const jobId = await startJob()
    const seen = await all.until((e) => data(e).job_id === jobId && progressOf(e) === 0.25)
    all.close()
    await open('a')
    await open('b')
    const again = await follow(o, '/events', seen.id!)
    const done = await again.until((e) => data(e).job_id === jobId && e.event === 'done')
    again.close()
    expect(Number(again.events[0]!.id)).toBeGreaterThan(Number(seen.id))
    expect(data(done)).toMatchObject({ pipeline: 'gated', pipeline_output: 42 })
    expect(again.events.some((e) => progressOf(e) === 0.5)).toBe(true)
  })

  it('answers 404 JOB_NOT_FOUND for an unknown job and 400 for a Last-Event-ID that is not a number, as JSON', async () => {
    const unknown = await o.raw(`/jobs/${randomUUID()}/events`)
    expect(unknown.status).toBe(404)
    expect((await unknown.json()).error.code).toBe('JOB_NOT_FOUND')
    const jobId = await startJob()
    const bad = await o.raw(`/jobs/${jobId}/events`, { headers: { 'last-event-id': 'soon' } })
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.message).toContain("Last-Event-ID 'soon' is not valid")
    await open('a')
    await open('b')
  })

  it('the client follows a job to its end on the stream (what chariots call --wait uses)', async () => {
    const jobId = await startJob()
    const seen: JobResponse['status'][] = []
    const following = (async () => {
      let last: PipelineResponse | undefined
      for await (const { response } of o.client.jobEvents(jobId)) {
        seen.push(response.jobStatus)
        last = response
      }
      return last
    })()
    await open('a')
    await open('b')
    const last = await following
    expect(last).toMatchObject({ jobStatus: 'done', value: 42, progress: 0.5 })
    expect(seen.at(-1)).toBe('done')
  })
})

describe('GET /events with a pool that tells about every job (watchJobs)', () => {
  class PoolWithWatchJobs extends InProcessWorkerPool {
    readonly listeners = new Set<(job: JobResponse) => void>()
    override watchJobs(listener: (job: JobResponse) => void): () => void {
      this.listeners.add(listener)
      return () => this.listeners.delete(listener)
    }
  }

  it('streams the jobs the pool reports, also those this server did not queue', async () => {
    const dir = await tempDir()
    dirs.push(dir)
    const pool = new PoolWithWatchJobs()
    const app = new Chariots([gated()], { path: dir.path, workerPool: pool })
    const o = await overHttp.open(app)
    try {
      const all = await follow(o, '/events')
      await new Promise((r) => setTimeout(r, 50))
      expect(pool.listeners.size).toBe(1)
      const elsewhere = {
        jobId: randomUUID(),
        pipelineName: 'gated',
        value: 1,
        versions: {},
        progress: null,
        error: null,
      }
      for (const l of pool.listeners) l({ ...elsewhere, status: 'running' })
      for (const l of pool.listeners) l({ ...elsewhere, status: 'done' })
      const done = await all.until((e) => data(e).job_id === elsewhere.jobId && e.event === 'done')
      expect(data(done)).toMatchObject({ pipeline: 'gated', pipeline_output: 1 })
      all.close()
    } finally {
      await o.close()
      await app.close()
    }
  })
})
