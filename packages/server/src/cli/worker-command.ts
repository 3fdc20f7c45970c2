import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { loadApp } from './load-app.js'
import { UsageError } from './usage-error.js'

/** Usage of `chariots worker`. */
export const WORKER_USAGE = 'chariots worker <module> [--concurrency N]'

/**
 * `chariots worker <module>`: starts workers for the app's `workerPool` (exit 1 when it has none)
 * and closes them on SIGTERM or SIGINT.
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
  const logger = pino({ name: 'chariots-worker', level: process.env.LOG_LEVEL ?? 'info' })
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'))
  const { app, path } = await loadApp(modulePath)
  app.logger ??= logger
  const pool = app.workerPool
  if (!pool) {
    logger.error(
      `app module '${modulePath}' has no workerPool; pass one to new Chariots(pipelines, { workerPool })`,
    )
    process.exit(1)
  }
  const handle = await pool.startWorkers({ concurrency, appModule: path })
  logger.info({ concurrency, module: path }, 'worker started')
  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    logger.info({ signal }, 'worker shutting down: finishing running jobs')
    await handle.close()
    await pool.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}
