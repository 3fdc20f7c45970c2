// Chariots (is_odd) against a bare Hono app answering the same JSON, side by side in one run:
// each server in its own child process on 127.0.0.1, autocannon with 64 connections, a 1 s warm-up
// then ~5 s measured, alternating twice. Prints req/s, p50, p99 and the ratio to bare Hono;
// with --json a final line {"bench":"server", ...}.
// The cluster rows: `chariots serve --workers 2` (is_odd, LOG_LEVEL=warn: no request log lines)
// against the bare Hono app on node:cluster x2, ratio to the latter. `--only cluster` runs those
// rows alone (about 30 s). Chariots 0.2.4 on gunicorn -w 2 is measured when a copy is available
// (none on this machine: the output says so).
//   node bench/server/server.bench.mjs [--json] [--duration 5] [--rounds 2] [--only cluster]
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'

const here = dirname(fileURLToPath(import.meta.url))
const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '64' },
    only: { type: 'string' },
  },
})
if (values.only !== undefined && values.only !== 'cluster')
  throw new Error(`--only takes 'cluster' (the --workers 2 rows), got '${values.only}'`)
const DURATION = Number(values.duration)
const ROUNDS = Number(values.rounds)
const CONNECTIONS = Number(values.connections)
const TARGET_RATIO = 0.6
/** Issue 17: is_odd with `--workers 2` at 0.85x bare Hono on node:cluster x2 or better. */
const CLUSTER_TARGET = 0.85
const chariotsBin = join(here, '..', '..', 'packages', 'server', 'bin', 'chariots.js')
/** Issue 17: iris predict with batching, at 64 connections, at 0.7x bare Hono or better. */
const BATCHED_TARGET = 0.7

const request = {
  method: 'POST',
  path: '/pipelines/is_odd/main',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ pipeline_input: 4, use_worker: false }),
}

/** What is measured; `base` is what the ratio of its group divides by. */
const SINGLE_TARGETS = [
  { name: 'bare hono', script: 'bare-hono.mjs', request, base: true },
  { name: 'chariots is_odd', script: 'chariots-app.mjs', request },
  // --- iris: the prediction pipeline of bench/iris-ops.mjs (PCA + logistic regression on one row),
  // --- trained and saved by chariots-app.mjs before it listens.
  {
    name: 'chariots iris predict',
    script: 'chariots-app.mjs',
    request: irisRequest('pred_iris'),
  },
  // --- the same pipeline with `batch: {}`: concurrent calls are merged into one run.
  { name: 'iris predict batched', script: 'chariots-app.mjs', request: irisRequest('pred_iris_batched') },
  // --- one connection: batching must not add latency when nothing else waits.
  {
    name: 'iris predict, 1 conn',
    script: 'chariots-app.mjs',
    request: irisRequest('pred_iris'),
    connections: 1,
  },
  {
    name: 'iris batched, 1 conn',
    script: 'chariots-app.mjs',
    request: irisRequest('pred_iris_batched'),
    connections: 1,
  },
]
/** N processes on one port: ours through `chariots serve --workers 2`, bare Hono on node:cluster. */
const CLUSTER_TARGETS = [
  { name: 'bare hono cluster x2', script: 'bare-hono-cluster.mjs', request, base: true, group: 'cluster' },
  { name: 'chariots --workers 2', serve: 'cluster-app.mjs', workers: 2, request, group: 'cluster' },
]
const TARGETS = values.only === 'cluster' ? CLUSTER_TARGETS : [...SINGLE_TARGETS, ...CLUSTER_TARGETS]
const groupOf = (t) => t.group ?? 'single'

function irisRequest(pipeline) {
  return {
    ...request,
    path: `/pipelines/${pipeline}/main`,
    body: JSON.stringify({ pipeline_input: [[1, 2, 3, 4]], use_worker: false }),
  }
}

/** Starts what a target measures; resolves with its pid, child process and port. */
function start(target) {
  return target.serve ? startServe(target.serve, target.workers) : startScript(target.script)
}

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/** The pid in X-Chariots-Process of a GET on a new connection (undefined while not listening). */
function answeringPid(port) {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/health_check', agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode === 200 ? res.headers['x-chariots-process'] : undefined))
    })
    req.on('error', () => resolve(undefined))
    req.end()
  })
}

/**
 * `chariots serve <module> --workers N` on a free port, request logs off (LOG_LEVEL=warn, as the
 * single-process rows serve without them); resolves once N distinct processes answer.
 */
async function startServe(module, workers) {
  const port = await freePort()
  const child = spawn(
    process.execPath,
    [chariotsBin, 'serve', join(here, module), '--workers', String(workers), '--port', String(port)],
    {
      // Its stderr (the hints for a person at a terminal) is shown only when it does not start.
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        CHARIOTS_BENCH_PATH: mkdtempSync(join(tmpdir(), 'chariots-bench-')),
      },
    },
  )
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const pids = new Set()
  for (let i = 0; pids.size < workers; i++) {
    if (child.exitCode !== null)
      throw new Error(`chariots serve ${module} exited with ${child.exitCode}:\n${stderr}`)
    if (i > 600) throw new Error(`chariots serve ${module}: ${workers} processes did not answer within 60 s`)
    const pid = await answeringPid(port)
    if (pid) pids.add(pid)
    else await new Promise((r) => setTimeout(r, 100))
  }
  return { pid: child.pid, child, port }
}

/** Starts a server script in a child process; resolves once it prints its port. */
async function startScript(script) {
  const child = spawn(process.execPath, [join(here, script)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout })
  const exit = once(child, 'exit').then(([code]) => {
    throw new Error(`${script} exited with ${code} before listening`)
  })
  const port = Promise.race([
    (async () => {
      for await (const line of lines) if (line.startsWith('{')) return JSON.parse(line).port
      throw new Error(`${script} closed its output before listening`)
    })(),
    exit,
  ])
  return { pid: child.pid, child, port: await port }
}

async function stop(server) {
  const exited = once(server.child, 'exit')
  process.kill(server.pid, 'SIGTERM')
  const timer = setTimeout(() => process.kill(server.pid, 'SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

function cannon(port, req, duration, connections = CONNECTIONS) {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration,
    requests: [req],
  })
}

async function measure(target) {
  const server = await start(target)
  try {
    const check = await fetch(`http://127.0.0.1:${server.port}${target.request.path}`, target.request)
    if (check.status !== 200)
      throw new Error(`${target.name} answered ${check.status}: ${await check.text()}`)
    await cannon(server.port, target.request, 1, target.connections) // warm-up
    const r = await cannon(server.port, target.request, DURATION, target.connections)
    if (r.non2xx > 0 || r.errors > 0)
      throw new Error(`${target.name}: ${r.non2xx} non-2xx answers, ${r.errors} errors`)
    return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 }
  } finally {
    await stop(server)
  }
}

const runs = new Map(TARGETS.map((t) => [t.name, []]))
for (let round = 1; round <= ROUNDS; round++) {
  for (const target of TARGETS) {
    const r = await measure(target)
    runs.get(target.name).push(r)
    console.error(
      `round ${round} ${target.name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`,
    )
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const summary = TARGETS.map((t) => {
  const rs = runs.get(t.name)
  return {
    name: t.name,
    rps: median(rs.map((r) => r.rps)),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
  }
})
const baseOf = (name) => {
  const group = groupOf(TARGETS.find((t) => t.name === name))
  return summary[TARGETS.findIndex((t) => t.base && groupOf(t) === group)]
}
console.log(
  `server: POST /pipelines/<name>/main, ${CONNECTIONS} connections, ${DURATION} s x ${ROUNDS} rounds (alternating), medians`,
)
console.log(
  `${'target'.padEnd(24)}${'req/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'ratio'.padStart(8)}`,
)
for (const s of summary) {
  const ratio = s.rps / baseOf(s.name).rps
  console.log(
    `${s.name.padEnd(24)}${s.rps.toFixed(0).padStart(10)}${String(s.p50).padStart(9)}${String(s.p99).padStart(9)}${ratio.toFixed(2).padStart(8)}`,
  )
}
const json = { bench: 'server', connections: CONNECTIONS, durationS: DURATION, rounds: ROUNDS }
json.targets = summary.map((t) => ({ ...t, ratio: Number((t.rps / baseOf(t.name).rps).toFixed(3)) }))
if (values.only !== 'cluster') {
  const base = baseOf('chariots is_odd')
  const chariots = summary.find((s) => s.name === 'chariots is_odd')
  const ratio = chariots.rps / base.rps
  console.log(
    `chariots is_odd / bare hono = ${ratio.toFixed(2)} (target ${TARGET_RATIO} or better: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'})`,
  )
  const batched = summary.find((s) => s.name === 'iris predict batched')
  const batchedRatio = batched.rps / base.rps
  console.log(
    `iris predict batched / bare hono = ${batchedRatio.toFixed(2)} at ${CONNECTIONS} connections (target ${BATCHED_TARGET} or better: ${batchedRatio >= BATCHED_TARGET ? 'met' : 'NOT met'})`,
  )
  const p99One = summary.find((s) => s.name === 'iris predict, 1 conn').p99
  const p99OneBatched = summary.find((s) => s.name === 'iris batched, 1 conn').p99
  console.log(
    `p99 at 1 connection: ${p99OneBatched} ms batched, ${p99One} ms unbatched (batching must be no worse)`,
  )
  Object.assign(json, {
    ratio: Number(ratio.toFixed(3)),
    target: TARGET_RATIO,
    met: ratio >= TARGET_RATIO,
    batchedRatio: Number(batchedRatio.toFixed(3)),
    batchedTarget: BATCHED_TARGET,
    p99OneConnection: { batched: p99OneBatched, unbatched: p99One },
  })
}
const workers2 = summary.find((s) => s.name === 'chariots --workers 2')
const clusterRatio = workers2.rps / baseOf(workers2.name).rps
console.log(
  `chariots --workers 2 / bare hono cluster x2 = ${clusterRatio.toFixed(2)} (target ${CLUSTER_TARGET} or better: ${clusterRatio >= CLUSTER_TARGET ? 'met' : 'NOT met'})`,
)
console.log(
  'chariots 0.2.4 on gunicorn -w 2: not measured, no copy of chariots 0.2.4 (Python) is available on this machine',
)
Object.assign(json, {
  clusterRatio: Number(clusterRatio.toFixed(3)),
  clusterTarget: CLUSTER_TARGET,
  clusterMet: clusterRatio >= CLUSTER_TARGET,
  python: null,
})
if (values.json) console.log(JSON.stringify(json))
