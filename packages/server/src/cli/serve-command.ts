import type { Server } from 'node:http'
import { parseArgs } from 'node:util'
import { serve } from '@hono/node-server'
import type { Logger } from 'pino'
import type { Chariots } from '../app/chariots.js'
import type { AllowedHosts } from '../app/host-check.js'
import { isClusterWorkerProcess } from '../cluster/cluster-announcer.js'
import { ClusterPrimary } from '../cluster/cluster-primary.js'
import { ClusterWorker } from '../cluster/cluster-worker.js'
import { ComposedAnnouncer } from '../cluster/composed-announcer.js'
import { clusterAnnouncerIn } from '../cluster/with-cluster-announcer.js'
import { createLogger } from './create-logger.js'
import { applyHttpServerLimits, type HttpServerLimits } from './http-server-limits.js'
import { listenError } from './listen-error.js'
import { loadApp } from './load-app.js'
import { serveHints } from './serve-hints.js'
import { UsageError } from './usage-error.js'
import { workersFromFlag } from './workers-from-flag.js'

const SHUTDOWN_TIMEOUT_MS = Number(process.env.CHARIOTS_SHUTDOWN_TIMEOUT_MS ?? 30_000)
/** How long a process of `--workers N` may take to load the app and be ready. */
const START_TIMEOUT_MS = Number(process.env.CHARIOTS_START_TIMEOUT_MS ?? 120_000)

/** Each limit flag and the {@link HttpServerLimits} field it sets. */
const LIMIT_FLAGS = {
  'headers-timeout-ms': 'headersTimeoutMs',
  'request-timeout-ms': 'requestTimeoutMs',
  'keep-alive-timeout-ms': 'keepAliveTimeoutMs',
  'max-connections': 'maxConnections',
} as const satisfies Record<string, keyof HttpServerLimits>

/**
 * `chariots serve <module>`: serves the module's app with @hono/node-server under
 * {@link applyHttpServerLimits} (flags override each limit), one log line per request; once
 * listening, prints the pipelines and a few commands to try (on stderr). `--allowed-hosts` (or
 * `CHARIOTS_ALLOWED_HOSTS`, comma-separated; `all` for any) adds to the app's `allowedHosts`. A port
 * in use, or any start-up mistake, is one line and exit 1. On SIGTERM or SIGINT stops accepting,
 * lets in-flight requests finish while the worker pool closes (an in-process pool gives running
 * jobs `CHARIOTS_SHUTDOWN_TIMEOUT_MS`, then fails them), and exits 0.
 *
 * `--workers N` (or `auto`, one per core) serves from N processes on one port: a primary that
 * never loads the app forks them, keeps them in step and replaces them ({@link ClusterPrimary});
 * SIGHUP restarts them one at a time.
 *
 * @example
 * ```sh
 * chariots serve src/app.ts --port 5000 --allowed-hosts models.internal
 * chariots serve src/app.ts --workers auto
 * ```
 */
export async function serveCommand(argv: string[]): Promise<void> {
  // `--workers -1`: parseArgs would take -1 for an option and answer a message about dashes.
  const workersAt = argv.indexOf('--workers')
  if (workersAt >= 0 && /^-\d/.test(argv[workersAt + 1] ?? '')) workersFromFlag(argv[workersAt + 1]!)
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', short: 'p', default: '5000' },
      host: { type: 'string', default: '127.0.0.1' },
      workers: { type: 'string', default: '1' },
      'allowed-hosts': { type: 'string', default: process.env.CHARIOTS_ALLOWED_HOSTS ?? '' },
      'headers-timeout-ms': { type: 'string' },
      'request-timeout-ms': { type: 'string' },
      'keep-alive-timeout-ms': { type: 'string' },
      'max-connections': { type: 'string' },
    },
  })
  const [modulePath] = positionals
  const port = Number(values.port)
  if (!modulePath || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('expected an app module and a port from 0 to 65535')
  const workers = workersFromFlag(values.workers)
  const limits = limitsFrom(values)
  const logger = createLogger({ name: 'chariots' })
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'))
  if (workers > 1 && !isClusterWorkerProcess()) {
    // The primary forks the processes (they run this same command line) and never loads the app.
    await new ClusterPrimary({
      workers,
      host: values.host,
      logger,
      startTimeoutMs: START_TIMEOUT_MS,
      stopTimeoutMs: Math.max(SHUTDOWN_TIMEOUT_MS, 30_000) + 10_000,
    }).start()
    return
  }
  const worker = isClusterWorkerProcess() ? new ClusterWorker() : undefined
  try {
    await serveHere({
      modulePath,
      port,
      host: values.host,
      allowedHosts: values['allowed-hosts'],
      limits,
      logger,
      worker,
    })
  } catch (err) {
    if (worker) await worker.fail(err)
    throw err
  }
}

/** What {@link serveHere} serves, and how. */
interface ServeHereOptions {
  modulePath: string
  port: number
  host: string
  allowedHosts: string
  limits: Partial<HttpServerLimits>
  logger: Logger
  /** Set in a process of `chariots serve --workers N`. */
  worker: ClusterWorker | undefined
}

/** Loads the app and serves it in this process (alone, or as one process of a cluster). */
async function serveHere(options: ServeHereOptions): Promise<void> {
  const { modulePath, port, host, limits, logger, worker } = options
  const { app } = await loadApp(modulePath)
  app.logger ??= logger
  app.allowedHosts = withHosts(app.allowedHosts ?? [], options.allowedHosts)
  // Below `info` (LOG_LEVEL=warn) no request line is written: skip timing and parsing the URL.
  const logged = (request: Request, env: unknown) => {
    const start = performance.now()
    const url = new URL(request.url)
    return Promise.resolve(app.fetch(request, env)).then((response) => {
      const ms = Math.round((performance.now() - start) * 100) / 100
      logger.info({ method: request.method, path: url.pathname, status: response.status, ms }, 'request')
      return response
    })
  }
  const fetch = logger.isLevelEnabled('info') ? logged : app.fetch
  // A process of a cluster listens once it serves what the others serve (a rolling restart must
  // not route a request to a process still loading); alone, requests wait for the start-up load.
  await worker?.beforeListen(app)
  const server = applyHttpServerLimits(serve({ fetch, port, hostname: host }) as Server, limits)
  worker?.mark(server)
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', (err) => reject(listenError(err, host, port)))
  })
  const { port: bound } = server.address() as { port: number }
  const url = `http://${host}:${bound}`
  const names = [...(app.pipelines?.keys() ?? [])]
  if (worker) {
    await worker.ready({
      port: bound,
      store: app.store.location,
      pipelines: names,
      inStepBy: inStepBy(app),
      jobsInProcess: app.workerPool?.runsInServerProcess === true,
    })
  } else {
    logger.info({ url, port: bound }, 'chariots listening')
    // For the person at the terminal; stderr keeps stdout to the log lines.
    process.stderr.write(`${serveHints(url, names, process.env.npm_config_user_agent)}\n`)
  }
  // Once listening, an error (EMFILE while accepting) is logged: the server keeps serving.
  server.on('error', (err) => logger.error({ err }, 'server error'))
  let closing = false
  const shutdown = async (why: string) => {
    if (closing) return
    closing = true
    logger.info({ signal: why, pid: process.pid }, 'shutting down: finishing in-flight requests')
    app.endEventStreams?.() // open SSE streams would hold the connections until the hard timeout
    // The pool closes beside the server: its jobs get the grace period once, and requests waiting
    // on them (GET /jobs/:id/wait) are answered when they end or fail, so the server can drain.
    // Connections still open a second past the pool's grace period are cut: by then the answers
    // for the jobs it failed are written.
    const hardCloseMs = Math.max(SHUTDOWN_TIMEOUT_MS, app.workerPool?.shutdownTimeoutMs ?? 0) + 1_000
    const drained =
      why === 'retire' && worker ? worker.drain(server, hardCloseMs) : closeServer(server, hardCloseMs)
    await Promise.all([drained, app.workerPool?.close()])
    await app.close?.()
    logger.info({ pid: process.pid }, 'bye')
    process.exit(0)
  }
  worker?.onRetire(() => void shutdown('retire'))
  // A SIGHUP to the whole process group (a terminal, `timeout`, `kill -HUP -<pgid>`) is for the
  // primary, which restarts the processes one at a time: this one keeps serving until retired.
  if (worker) process.on('SIGHUP', () => undefined)
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

/** How the processes of a cluster stay in step (see `WorkerReady.inStepBy`). */
function inStepBy(app: Chariots): string {
  const announcer = app.host.replicas?.announcer
  if (!announcer) return 'none'
  if (announcer instanceof ComposedAnnouncer) return `ipc+${announcer.parts[1].constructor.name}`
  return clusterAnnouncerIn(announcer) ? 'ipc' : announcer.constructor.name
}

/** The limits the flags set (the others keep their defaults). */
function limitsFrom(values: Partial<Record<keyof typeof LIMIT_FLAGS, string>>): Partial<HttpServerLimits> {
  const limits: Partial<HttpServerLimits> = {}
  for (const [flag, field] of Object.entries(LIMIT_FLAGS) as [
    keyof typeof LIMIT_FLAGS,
    keyof HttpServerLimits,
  ][]) {
    const text = values[flag]
    if (text === undefined) continue
    const n = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN
    if (!Number.isSafeInteger(n) || n < 1)
      throw new UsageError(`--${flag} must be a whole number above 0, got '${text}'`)
    limits[field] = n
  }
  return limits
}

/** `allowed` plus the comma-separated names of a flag; `all` (or `*`) allows any host. */
function withHosts(allowed: AllowedHosts, flag: string): AllowedHosts {
  const names = flag
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '')
  if (allowed === true || names.includes('all') || names.includes('*')) return true
  return [...allowed, ...names]
}

function closeServer(server: Server, hardCloseMs: number): Promise<void> {
  return new Promise((resolve) => {
    // close() waits for open connections; keep-alive ones are idle between requests, so close
    // those as they become idle, and everything after the timeout.
    const idle = setInterval(() => server.closeIdleConnections(), 100)
    const hard = setTimeout(() => server.closeAllConnections(), hardCloseMs)
    server.close(() => {
      clearInterval(idle)
      clearTimeout(hard)
      resolve()
    })
    server.closeIdleConnections()
  })
}
