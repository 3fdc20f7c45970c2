import { AsyncLocalStorage } from 'node:async_hooks'

/** What an op may report: a fraction in 0..1 or a JSON object. */
export type Progress = number | Record<string, unknown>

/** Receives the progress reported by ops running inside {@link withProgressReporter}. */
export type ProgressReporter = (progress: Progress) => void

// One storage per process, shared by every copy of this module (a worker thread that loads a
// TypeScript app through tsx can end up with a second copy of @chariots/core).
const KEY = Symbol.for('@chariots/core/progress-storage')
const holder = globalThis as { [KEY]?: AsyncLocalStorage<ProgressReporter> }
if (!holder[KEY]) holder[KEY] = new AsyncLocalStorage<ProgressReporter>()
const storage = holder[KEY]

/**
 * Runs `fn` so that every `op.reportProgress(value)` called within it (also across awaits) reaches
 * `reporter`. Workers use it to store a job's progress.
 *
 * @example
 * ```ts
 * await withProgressReporter((p) => console.log('progress', p), () => runner.run(pipeline, input))
 * ```
 */
export function withProgressReporter<T>(reporter: ProgressReporter, fn: () => T): T {
  return storage.run(reporter, fn)
}

/** Reports progress to the current reporter; does nothing outside a worker. */
export function reportProgress(progress: Progress): void {
  storage.getStore()?.(progress)
}
