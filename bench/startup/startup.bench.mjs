// Start-up and memory, side by side in one run: a bare Hono server, the iris app served by
// `chariots serve` from app.ts and from built JavaScript, and a `chariots worker --concurrency 2`
// of the iris app on Redis. Cold start is the time from spawning the process until
// /health_check answers (the worker: until it logs "worker started"); RSS is read from
// /proc/<pid>/status after start and, for the servers, after 10,000 calls. Prints the figures and
// the ratios to bare Hono; with --json a final line {"bench":"startup", ...}.
//   node bench/startup/startup.bench.mjs [--json] [--rounds 3] [--calls 10000]
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const chariots = join(root, 'packages', 'server', 'bin', 'chariots.js')
const irisTs = join(root, 'apps', 'iris', 'app.ts')
const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    calls: { type: 'string', default: '10000' },
  },
})
const ROUNDS = Number(values.rounds)
const CALLS = Number(values.calls)
const TARGETS_MS = { js: 500, ts: 800 }
const TARGET_SERVER_MB = 100
const TARGET_WORKER_MB = 150

/** The iris app compiled to JavaScript once (what "from built JS" means), beside its node_modules. */
function buildIrisJs() {
  const out = mkdtempSync(join(tmpdir(), 'chariots-iris-js-'))
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      '-p',
      join(root, 'apps', 'iris', 'tsconfig.json'),
      '--noEmit',
      'false',
      '--outDir',
      out,
      '--declaration',
      'false',
      '--sourceMap',
      'false',
    ],
    { encoding: 'utf8' },
  )
  if (r.status !== 0) throw new Error(`tsc of apps/iris failed: ${r.stdout}${r.stderr}`)
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }')
  symlinkSync(join(root, 'apps', 'iris', 'node_modules'), join(out, 'node_modules'))
  return { file: join(out, 'app.js'), dir: out }
}

function freePort() {
  return new Promise((resolve) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

function rssMb(pid) {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1])
  return kb / 1024
}

async function stop(child) {
  if (child.exitCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const hard = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(hard)
}

/** Spawns a server; resolves with its start time (ms) once /health_check answers 200. */
async function startServer(args, env) {
  const port = await freePort()
  const started = performance.now()
  const child = spawn(process.execPath, [...args(port)], { stdio: ['ignore', 'ignore', 'pipe'], env })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${args(port).join(' ')} exited with ${child.exitCode}: ${stderr}`)
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health_check`)).ok) break
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 2))
  }
  return { child, port, ms: performance.now() - started }
}

async function measureServer(target, storeDir) {
  const env = { ...process.env, CHARIOTS_PATH: storeDir, CHARIOTS_LOG_FORMAT: 'json', LOG_LEVEL: 'warn' }
  const { child, port, ms } = await startServer(target.args, env)
  try {
    const atStart = rssMb(child.pid)
    await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: 16,
      amount: CALLS,
      requests: [
        {
          method: 'POST',
          path: target.path,
          headers: { 'content-type': 'application/json' },
          body: target.body,
        },
      ],
    })
    return { ms, rss: atStart, rssAfterCalls: rssMb(child.pid) }
  } finally {
    await stop(child)
  }
}

async function measureWorker(redisUrl, storeDir) {
  const env = { ...process.env, REDIS_URL: redisUrl, CHARIOTS_PATH: storeDir, CHARIOTS_LOG_FORMAT: 'json' }
  const started = performance.now()
  const child = spawn(process.execPath, [chariots, 'worker', irisTs, '--concurrency', '2'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  })
  let output = ''
  child.stderr.on('data', (d) => (output += d))
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      output += d
      if (output.includes('worker started')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${output}`)))
  })
  const ms = performance.now() - started
  await new Promise((r) => setTimeout(r, 500)) // threads settle
  const rss = rssMb(child.pid)
  await stop(child)
  return { ms, rss }
}

async function startRedis() {
  const port = await freePort()
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  )
  const listening = () =>
    new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end()
        resolve(true)
      })
      socket.on('error', () => resolve(false))
    })
  while (!(await listening())) await new Promise((r) => setTimeout(r, 25))
  return { url: `redis://127.0.0.1:${port}`, stop: () => stop(child) }
}

const isOddBody = JSON.stringify({ pipeline_input: 4, use_worker: false })
const js = buildIrisJs()
const servers = [
  {
    name: 'bare hono',
    args: (port) => [join(here, 'bare-hono-port.mjs'), String(port)],
    path: '/pipelines/is_odd/main',
    body: isOddBody,
    base: true,
  },
  {
    name: 'iris, chariots serve app.ts',
    args: (port) => [chariots, 'serve', irisTs, '--port', String(port)],
    path: '/pipelines/is_odd/main',
    body: isOddBody,
    target: TARGETS_MS.ts,
  },
  {
    name: 'iris, chariots serve app.js',
    args: (port) => [chariots, 'serve', js.file, '--port', String(port)],
    path: '/pipelines/is_odd/main',
    body: isOddBody,
    target: TARGETS_MS.js,
  },
]

// One warm-up start of each (the TypeScript bundle cache is built here, as on a deployed app's
// first start), then alternating measured rounds.
const stores = mkdtempSync(join(tmpdir(), 'chariots-startup-'))
for (const s of servers)
  await measureServer({ ...s }, join(stores, 'warm')).catch((e) => {
    throw new Error(`${s.name}: ${e.message}`)
  })
const runs = new Map(servers.map((s) => [s.name, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const s of servers) runs.get(s.name).push(await measureServer(s, join(stores, `${round}`)))
}
let worker = null
if (spawnSync('redis-server', ['--version']).status === 0) {
  const redis = await startRedis()
  try {
    await measureWorker(redis.url, join(stores, 'worker-warm'))
    const w = []
    for (let round = 0; round < ROUNDS; round++)
      w.push(await measureWorker(redis.url, join(stores, `worker-${round}`)))
    worker = w
  } finally {
    await redis.stop()
  }
}
rmSync(stores, { recursive: true, force: true })
rmSync(js.dir, { recursive: true, force: true })

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const rows = servers.map((s) => {
  const rs = runs.get(s.name)
  return {
    name: s.name,
    ms: median(rs.map((r) => r.ms)),
    rss: median(rs.map((r) => r.rss)),
    rssAfterCalls: median(rs.map((r) => r.rssAfterCalls)),
    target: s.target,
  }
})
const base = rows[0]
console.log(
  `startup: cold start until /health_check answers, RSS at start and after ${CALLS} calls; medians of ${ROUNDS}`,
)
console.log(
  `${'target'.padEnd(32)}${'start ms'.padStart(10)}${'x hono'.padStart(8)}${'RSS MB'.padStart(8)}${`after ${CALLS}`.padStart(12)}`,
)
for (const r of rows) {
  console.log(
    `${r.name.padEnd(32)}${r.ms.toFixed(0).padStart(10)}${(r.ms / base.ms).toFixed(2).padStart(8)}${r.rss.toFixed(0).padStart(8)}${r.rssAfterCalls.toFixed(0).padStart(12)}`,
  )
}
const workerRow = worker && { ms: median(worker.map((w) => w.ms)), rss: median(worker.map((w) => w.rss)) }
if (workerRow)
  console.log(
    `${'iris worker, --concurrency 2'.padEnd(32)}${workerRow.ms.toFixed(0).padStart(10)}${(workerRow.ms / base.ms).toFixed(2).padStart(8)}${workerRow.rss.toFixed(0).padStart(8)}`,
  )
for (const r of rows.filter((r) => r.target)) {
  console.log(
    `${r.name}: ${r.ms.toFixed(0)} ms (target under ${r.target}: ${r.ms < r.target ? 'met' : 'NOT met'}), ${r.rss.toFixed(0)} MB (target under ${TARGET_SERVER_MB}: ${r.rss < TARGET_SERVER_MB ? 'met' : 'NOT met'})`,
  )
}
if (workerRow)
  console.log(
    `worker: ${workerRow.rss.toFixed(0)} MB at concurrency 2 (target under ${TARGET_WORKER_MB}: ${workerRow.rss < TARGET_WORKER_MB ? 'met' : 'NOT met'})`,
  )
if (values.json) {
  console.log(
    JSON.stringify({ bench: 'startup', rounds: ROUNDS, calls: CALLS, servers: rows, worker: workerRow }),
  )
}
