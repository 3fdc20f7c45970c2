import { availableParallelism } from 'node:os'
import { UsageError } from './usage-error.js'

/** The most processes `--workers` starts (a typo such as 800 should not fork 800 apps). */
const MAX_WORKERS = 256

/**
 * The number of processes `chariots serve --workers <text>` runs: a whole number from 1 to 256,
 * or `auto` for one per core (`os.availableParallelism()`). Anything else is a usage error naming
 * the flag and what to write instead.
 *
 * @example
 * ```ts
 * workersFromFlag('2') // 2
 * workersFromFlag('auto') // os.availableParallelism()
 * workersFromFlag('0') // throws: --workers must be …
 * ```
 */
export function workersFromFlag(text: string): number {
  if (text.trim().toLowerCase() === 'auto') return availableParallelism()
  const n = /^\d{1,4}$/.test(text.trim()) ? Number(text) : Number.NaN
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new UsageError(
      `--workers must be a number of processes from 1 to ${MAX_WORKERS}, or auto (one per core, ${availableParallelism()} here); got '${text.slice(0, 40)}'. Example: --workers 2`,
    )
  }
  return n
}
