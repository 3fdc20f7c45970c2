// A flood of worker calls with 1 MB inputs against the stock iris server (`chariots serve
// apps/iris/app.ts`, what `pnpm start` serves: an InProcessWorkerPool with its default limits, no
// Redis). Before the queue limits, 7,000 such calls were all accepted until the heap ran out and
// the server died (issue #12, item 1). Now the pool holds at most maxQueuedBytes (64 MB) of queued
// input and answers 503 QUEUE_FULL with Retry-After past it; the server stays up and its peak
// resident memory (VmHWM of /proc/<pid>/status) stays under 500 MB. Bounded in count (7,000 calls)
// and time (150 s of sending).
import { Agent, request } from 'node:http'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ServerProcess, startServer } from './helpers/chariots-process.js'
import { callPipeline, requestJson, waitJob } from './helpers/http-json.js'
import { processMemory } from './helpers/process-memory.js'
import { type TempStore, tempStore } from './helpers/temp-store.js'

const IRIS = fileURLToPath(new URL('../../../apps/iris/app.ts', import.meta.url))
const CALLS = 7_000
const CONCURRENCY = 16
const SEND_FOR_MS = 150_000
const MB = 1024 * 1024
// 1,000,000 characters of input: the body (1,000,022 bytes) is under the 1 MiB limit of /main, so
// every call reaches the pool.
const BODY = Buffer.from(JSON.stringify({ pipeline_input: 'x'.repeat(1_000_000), use_worker: true }))

interface Answer {
  status: number
  code: string | undefined
  retryAfter: string | undefined
  jobId: string | undefined
  error?: string
}

/** POSTs the 1 MB body to train_iris_async on a kept-alive connection of `agent`. */
function floodCall(agent: Agent, port: number): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/pipelines/train_iris_async/main',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': BODY.length },
        timeout: 60_000,
      },
      (res) => {
        let text = ''
        res.on('data', (d) => (text += d))
        res.on('end', () => {
          const body = JSON.parse(text)
          resolve({
            status: res.statusCode ?? 0,
            code: body.error?.code,
            retryAfter: res.headers['retry-after'],
            jobId: body.job_id ?? undefined,
          })
        })
      },
    )
    req.on('timeout', () => req.destroy(new Error('no answer within 60 s')))
    req.on('error', (err) =>
      resolve({ status: 0, code: undefined, retryAfter: undefined, jobId: undefined, error: err.message }),
    )
    req.end(BODY)
  })
}

describe('the stock iris server under a flood of 1 MB worker calls', () => {
  let store: TempStore
  let server: ServerProcess

  beforeAll(async () => {
    store = await tempStore()
    server = await startServer(IRIS, { CHARIOTS_PATH: store.root('iris') })
    expect((await callPipeline(server.url, 'download_iris', null)).status).toBe(200)
  })
  afterAll(async () => {
    await server?.stop('SIGKILL')
    await store?.remove()
  })

  it('7,000 × 1 MB train_iris_async calls: past its limit 503 QUEUE_FULL with Retry-After, the server stays up under 500 MB RSS, and the accepted jobs train', async () => {
    const port = Number(new URL(server.url).port)
    const before = await processMemory(server.pid)
    let maxRss = before.rss
    const sampler = setInterval(() => {
      void processMemory(server.pid).then(
        (m) => (maxRss = Math.max(maxRss, m.rss)),
        () => undefined,
      )
    }, 100)
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
    const answers: Answer[] = []
    const t0 = performance.now()
    let next = 0
    const sender = async () => {
      while (next < CALLS && performance.now() - t0 < SEND_FOR_MS) {
        next++
        answers.push(await floodCall(agent, port))
      }
    }
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, sender))
    } finally {
      clearInterval(sampler)
      agent.destroy()
    }
    const seconds = (performance.now() - t0) / 1000
    const after = await processMemory(server.pid)

    const byStatus: Record<number, number> = {}
    for (const a of answers) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1
    const accepted = answers.filter((a) => a.status === 200)
    const refused = answers.filter((a) => a.status === 503)
    console.log(
      `[queue-flood] ${answers.length} calls in ${seconds.toFixed(1)} s: ${JSON.stringify(byStatus)}; RSS ${(before.rss / MB).toFixed(0)} MB before, peak ${(after.peak / MB).toFixed(0)} MB (sampled max ${(maxRss / MB).toFixed(0)} MB), ${(after.rss / MB).toFixed(0)} MB after`,
    )
    // Every call answered 200 queued or 503 QUEUE_FULL with Retry-After: no 5xx, no dropped socket.
    expect(answers.filter((a) => a.status !== 200 && a.status !== 503).slice(0, 3)).toEqual([])
    expect(refused.length).toBeGreaterThan(0)
    expect(refused.filter((a) => a.code !== 'QUEUE_FULL' || a.retryAfter !== '5').slice(0, 3)).toEqual([])
    expect(accepted.length).toBeGreaterThan(0)
    // Sent the whole flood, or sent for the whole time bound.
    expect(answers.length === CALLS || seconds * 1000 >= SEND_FOR_MS).toBe(true)
    // The server is up, and its resident memory never reached 500 MB.
    expect(server.exited()).toBe(false)
    expect(after.peak).toBeLessThan(500 * MB)
    expect((await requestJson(server.url, '/health_check')).status).toBe(200)
    // The queue drains: the last accepted job trains (or fails with a reason), and a new call is accepted.
    const last = accepted.at(-1)!.jobId!
    const ended = await waitJob(server.url, last, 120_000)
    expect(ended.status).toBe(200)
    expect(ended.body.job_status).toBe('done')
    const again = await callPipeline(server.url, 'train_iris_async', 'x', true)
    expect([again.status, again.body.job_status]).toEqual([200, 'queued'])
  })
})
