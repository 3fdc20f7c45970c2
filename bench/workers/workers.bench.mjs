// 2,000 trivial jobs through RQWorkerPool (2 `chariots worker` processes, sandboxed job bodies)
// side by side with raw BullMQ (a Queue and 2 Worker processes returning their input) on one Redis;
// then single jobs one after the other (enqueue → done latency).
//   node bench/workers/workers.bench.mjs [--jobs 2000] [--concurrency 4] [--sequential 200]
//     [--sandbox thread|process] [--rounds 3] [--json]
// Throughput is the median of the rounds, which alternate between the two sides.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startRedis } from '@chariots/testing'
import { Queue, QueueEvents } from 'bullmq'
import { Redis } from 'ioredis'

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '4' },
    sequential: { type: 'string', default: '200' },
    sandbox: { type: 'string', default: 'thread' },
    rounds: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
})
const JOBS = Number(values.jobs)
const CONCURRENCY = Number(values.concurrency)
const SEQUENTIAL = Number(values.sequential)
const ROUNDS = Number(values.rounds)
const here = (f) => fileURLToPath(new URL(f, import.meta.url))
const CHARIOTS_BIN = here('../node_modules/@chariots/server/bin/chariots.js')

const redis = await startRedis()
const data = mkdtempSync(join(tmpdir(), 'chariots-bench-workers-'))
const children = []

function startProcess(args, env, ready) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.push(child)
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      if (ready.test(out)) resolve(child)
    })
    child.once('exit', (code) =>
      reject(new Error(`${args.join(' ')} exited with ${code} before it was ready: ${out}`)),
    )
  })
}

async function stopAll() {
  await Promise.all(
    children.splice(0).map(
      (c) =>
        new Promise((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve()
          c.once('exit', resolve)
          c.kill('SIGTERM')
          setTimeout(() => c.kill('SIGKILL'), 10_000).unref()
        }),
    ),
  )
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d

/**
 * Enqueues `JOBS` jobs (in bursts of 100) and times each from its enqueue to its 'completed'
 * event, read by a QueueEvents of the bench on the same Redis for both sides (a job may complete
 * before its enqueue call returns: completions are matched to enqueues at the end).
 */
async function throughput(queueName, enqueue) {
  // Read events from the stream's current end, so no completion is missed before the first read.
  const client = new Redis(redis.url)
  const last = await client.xrevrange(`bull:${queueName}:events`, '+', '-', 'COUNT', 1)
  await client.quit()
  const events = new QueueEvents(queueName, {
    connection: { url: redis.url },
    lastEventId: last[0]?.[0] ?? '0-0',
  })
  await events.waitUntilReady()
  const started = new Map()
  const finished = new Map()
  let resolveAll
  const allDone = new Promise((resolve) => {
    resolveAll = resolve
  })
  events.on('completed', ({ jobId }) => {
    finished.set(jobId, performance.now())
    if (finished.size >= JOBS) resolveAll()
  })
  const firstAt = performance.now()
  for (let i = 0; i < JOBS; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, JOBS - i) }, async (_, k) => {
        const t = performance.now()
        started.set(await enqueue(i + k), t)
      }),
    )
  }
  await allDone
  await events.close()
  const latencies = [...started].map(([id, t]) => finished.get(id) - t).sort((a, b) => a - b)
  const lastAt = Math.max(...finished.values())
  return { jobsPerS: JOBS / ((lastAt - firstAt) / 1000), p50: pct(latencies, 50), p99: pct(latencies, 99) }
}

/** Enqueue → done of one job at a time, through each side's own API. */
async function sequential(run) {
  const times = []
  for (let i = 0; i < SEQUENTIAL; i++) {
    const t = performance.now()
    await run(i)
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  return { p50: pct(times, 50), p99: pct(times, 99) }
}

try {
  // Both sides' worker processes run for the whole bench (idle ones only block on Redis), so the
  // rounds can alternate: raw, chariots, raw, chariots, … and drift hits both sides alike.
  const rawQueueName = `raw-${randomUUID()}`
  const rawEnv = {
    BENCH_REDIS_URL: redis.url,
    BENCH_QUEUE: rawQueueName,
    BENCH_CONCURRENCY: String(CONCURRENCY),
  }
  const queueName = `chariots-${randomUUID()}`
  const env = {
    BENCH_REDIS_URL: redis.url,
    BENCH_QUEUE: queueName,
    BENCH_DATA: data,
    BENCH_SANDBOX: values.sandbox,
  }
  Object.assign(process.env, env) // the bench's own copy of the app (the enqueuing side) reads them too
  const appModule = here('./bench-app.mjs')
  await Promise.all([
    ...[0, 1].map(() => startProcess([here('./raw-worker.mjs')], rawEnv, /raw worker ready/)),
    ...[0, 1].map(() =>
      startProcess(
        [CHARIOTS_BIN, 'worker', appModule, '--concurrency', String(CONCURRENCY)],
        env,
        /worker started/,
      ),
    ),
  ])

  // Raw BullMQ: a Queue here, Workers returning their input in 2 processes
  const rawQueue = new Queue(rawQueueName, { connection: { url: redis.url } })
  const rawOpts = { removeOnComplete: { age: 86_400 }, removeOnFail: { age: 86_400 } }
  const rawEvents = new QueueEvents(rawQueueName, { connection: { url: redis.url } })
  await rawEvents.waitUntilReady()
  const rawEnqueue = async (i) => (await rawQueue.add('echo', { i }, { jobId: randomUUID(), ...rawOpts })).id

  // Chariots: RQWorkerPool here, `chariots worker` processes with sandboxed job bodies
  const { default: app, echo, pool } = await import(appModule)
  await app.ready()
  const chariotsEnqueue = (i) => pool.executePipelineAsync(echo, i, app.host)
  // warm both sides (sandboxes import the app once, scripts load) before timing
  await Promise.all(
    Array.from({ length: 4 * CONCURRENCY }, async (_, i) => {
      await pool.waitForJob(await chariotsEnqueue(i), 30_000)
      await (await rawQueue.add('echo', { i }, { jobId: randomUUID(), ...rawOpts })).waitUntilFinished(
        rawEvents,
        30_000,
      )
    }),
  )

  const rawRounds = []
  const chariotsRounds = []
  for (let r = 0; r < ROUNDS; r++) {
    rawRounds.push(await throughput(rawQueueName, rawEnqueue))
    chariotsRounds.push(await throughput(queueName, chariotsEnqueue))
  }
  const median = (rounds) =>
    [...rounds].sort((a, b) => a.jobsPerS - b.jobsPerS)[Math.floor(rounds.length / 2)]
  const raw = median(rawRounds)
  const chariots = median(chariotsRounds)

  const rawSingle = await sequential(async (i) => {
    const job = await rawQueue.add('echo', { i }, { jobId: randomUUID(), ...rawOpts })
    await job.waitUntilFinished(rawEvents, 10_000)
  })
  const chariotsSingle = await sequential(async (i) => {
    const done = await pool.waitForJob(await pool.executePipelineAsync(echo, i, app.host), 10_000)
    if (done.status !== 'done') throw new Error(`job ended ${done.status}: ${JSON.stringify(done.error)}`)
  })
  await rawEvents.close()
  await rawQueue.close()
  await pool.close()
  await stopAll()

  const ratio = chariots.jobsPerS / raw.jobsPerS
  const rows = [
    ['', 'jobs/s', 'p50 ms', 'p99 ms', 'single p50 ms', 'single p99 ms'],
    ['raw BullMQ', raw.jobsPerS, raw.p50, raw.p99, rawSingle.p50, rawSingle.p99],
    ['RQWorkerPool', chariots.jobsPerS, chariots.p50, chariots.p99, chariotsSingle.p50, chariotsSingle.p99],
  ]
  console.log(
    `${JOBS} trivial jobs × ${ROUNDS} alternating rounds (median), 2 worker processes × concurrency ${CONCURRENCY} ` +
      `(RQWorkerPool sandbox: ${values.sandbox}, one per job slot), one Redis; ` +
      `then ${SEQUENTIAL} sequential single jobs`,
  )
  for (const row of rows)
    console.log(
      row.map((c, i) => String(typeof c === 'number' ? round(c, i === 1 ? 0 : 2) : c).padStart(14)).join(''),
    )
  console.log(
    `RQWorkerPool / raw BullMQ throughput: ${round(ratio)}x (target ≥ 0.5x); single-job p50 ${round(chariotsSingle.p50)} ms (target < 10 ms)`,
  )
  if (values.json) {
    console.log(
      JSON.stringify({
        bench: 'workers',
        jobs: JOBS,
        concurrency: CONCURRENCY,
        sandbox: values.sandbox,
        rounds: ROUNDS,
        raw: {
          jobsPerS: round(raw.jobsPerS, 0),
          p50Ms: round(raw.p50),
          p99Ms: round(raw.p99),
          singleP50Ms: round(rawSingle.p50),
        },
        chariots: {
          jobsPerS: round(chariots.jobsPerS, 0),
          p50Ms: round(chariots.p50),
          p99Ms: round(chariots.p99),
          singleP50Ms: round(chariotsSingle.p50),
        },
        throughputRatio: round(ratio),
      }),
    )
  }
} finally {
  await stopAll()
  await redis.stop()
  rmSync(data, { recursive: true, force: true })
}
process.exit(0)
