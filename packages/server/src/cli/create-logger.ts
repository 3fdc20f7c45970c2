import { createRequire } from 'node:module'
import { ChariotsError, ErrorCode } from '@chariots/core'
import { type Logger, pino } from 'pino'
import type pinoPretty from 'pino-pretty'

// pino-pretty is read only when a person watches a terminal: JSON logs (servers, CI) never pay for it.
const require = createRequire(import.meta.url)

/** How the CLI writes its logs: JSON lines, or readable lines for a person at a terminal. */
export type LogFormat = 'json' | 'pretty'

/** A stream the logger writes to; `isTTY` when it is a terminal. */
export type LogStream = NodeJS.WritableStream & { isTTY?: boolean }

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** The logger's name (`chariots`, `chariots-worker`). */
  name: string
  /** Default `LOG_LEVEL`, else `info`. */
  level?: string
  /** Default stdout. */
  stream?: LogStream
  /** Default {@link logFormatFor} of `CHARIOTS_LOG_FORMAT` and the stream. */
  format?: LogFormat
}

/**
 * The log format: `CHARIOTS_LOG_FORMAT` (`json` or `pretty`) when set, else `pretty` on a terminal
 * and `json` otherwise (a pipe, a file, a log collector).
 *
 * @example
 * ```ts
 * logFormatFor(undefined, true) // 'pretty'
 * logFormatFor('json', true) // 'json'
 * ```
 */
export function logFormatFor(setting: string | undefined, isTTY: boolean): LogFormat {
  if (setting === undefined || setting === '') return isTTY ? 'pretty' : 'json'
  if (setting === 'json' || setting === 'pretty') return setting
  throw new ChariotsError(
    ErrorCode.INVALID_INPUT,
    `CHARIOTS_LOG_FORMAT must be 'json' or 'pretty', got '${setting.slice(0, 40)}'; unset it to choose by the terminal`,
  )
}

/**
 * The CLI's pino logger: readable lines (pino-pretty: time, level, message, then the fields) when
 * the stream is a terminal, JSON lines otherwise, as {@link logFormatFor} decides.
 *
 * @example
 * ```ts
 * const logger = createLogger({ name: 'chariots' })
 * logger.info({ port: 5000 }, 'chariots listening')
 * ```
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const stream = options.stream ?? process.stdout
  const isTTY = stream.isTTY === true
  const format = options.format ?? logFormatFor(process.env.CHARIOTS_LOG_FORMAT, isTTY)
  const base = { name: options.name, level: options.level ?? process.env.LOG_LEVEL ?? 'info' }
  if (format === 'json') return stream === process.stdout ? pino(base) : pino(base, stream)
  const destination = stream === process.stdout ? 1 : stream
  const pretty = require('pino-pretty') as typeof pinoPretty
  return pino(
    base,
    pretty({
      destination,
      sync: true,
      colorize: isTTY,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      singleLine: true,
    }),
  )
}
