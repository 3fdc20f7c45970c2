import { basename } from 'node:path'
import { parseArgs } from 'node:util'
import { ChariotsError, ErrorCode } from '@chariots/core'
import { type KnownErrorCode, ServerErrorCode } from '../errors/server-error-code.js'
import { createLogger } from './create-logger.js'
import { loadApp } from './load-app.js'
import { UsageError } from './usage-error.js'

/**
 * `chariots worker <module>`: starts workers for the app's `workerPool` (job bodies in threads or
 * child processes; this process logs each job's start, end and failure) and closes them on SIGTERM
 * or SIGINT: running jobs get the pool's grace period (`CHARIOTS_SHUTDOWN_TIMEOUT_MS`, default
 * 30 s), then fail with `WORKER_SHUTDOWN`, and the process exits; a second signal exits at once. Refuses (exit 1, one line) an app with no pool, and an app whose pool runs jobs inside
 * the server process (`InProcessWorkerPool`), where a worker process would have nothing to run.
 *
 * @example
 * ```sh
 * chariots worker src/app.ts --concurrency 4
 * ```
 */
export async function workerCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { concurrency: { type: 'string', short: 'c', default: '1' } },
  })
  const [modulePath] = positionals
  const concurrency = Number(values.concurrency)
  if (!modulePath || !Number.isInteger(concurrency) || concurrency < 1)
    throw new UsageError('expected an app module and a concurrency of 1 or more')
  const logger = createLogger({ name: 'chariots-worker' })
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'))
  // Job threads load per job: this process serves no calls, so it neither loads its pipelines
  // at start-up nor joins the app's servers as a replica (it would receive every /load).
  process.env.CHARIOTS_AUTOLOAD ??= '0'
  const { app, path } = await loadApp(modulePath)
  app.logger ??= logger
  const pool = app.workerPool
  if (!pool) {
    throw new ChariotsError(
      ErrorCode.NO_WORKER_POOL,
      `app module '${modulePath}' has no workerPool; pass one to new Chariots(pipelines, { workerPool })`,
    )
  }
  if (pool.runsInServerProcess) {
    const name = pool.constructor.name
    throw new ChariotsError<KnownErrorCode>(
      ServerErrorCode.WORKERS_IN_SERVER,
      `app module '${modulePath}' uses an ${name}: its jobs run inside the server process ` +
        `(chariots serve ${basename(modulePath)}), so a worker process would have none to run. To run jobs in ` +
        'separate worker processes, give the app an RQWorkerPool on Redis (@chariots/workers-rq-like: ' +
        'new RQWorkerPool({ connection: process.env.REDIS_URL })); the iris example uses one when REDIS_URL ' +
        'is set: start both the server and the workers with REDIS_URL=redis://127.0.0.1:6379',
    )
  }
  const handle = await pool.startWorkers({ concurrency, appModule: path, logger })
  logger.info({ concurrency, module: path }, 'worker started')
  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) {
      logger.warn({ signal }, 'worker stopping now: a second signal')
      process.exit(1)
    }
    closing = true
    const graceMs = pool.shutdownTimeoutMs
    logger.info({ signal, graceMs }, 'worker shutting down: finishing running jobs')
    // The pool fails what still runs after the grace period; this is the last resort if Redis hangs.
    const hard = setTimeout(() => {
      logger.error({ graceMs }, 'worker did not stop within the grace period and 10 s more: exiting')
      process.exit(1)
    }, graceMs + 10_000)
    hard.unref()
    await handle.close()
    await pool.close()
    logger.info('worker stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}
