import { AsyncLocalStorage } from 'node:async_hooks'

/** What an op may report: a fraction in 0..1 or a JSON object. */
export type Progress = number | Record<string, unknown>

/** Receives the progress reported by ops running inside {@link withProgressReporter}. */
export type ProgressReporter = (progress: Progress) => void

// Module state, not a global: an app loaded through @chariots/app-loader shares this module with
// the worker that runs its jobs (test/same-core.test.ts of @chariots/testing). A global would buy
// nothing more: each worker thread has its own globals as well as its own modules, and the job
// body, which installs the reporter, runs in the thread whose ops report.
const storage = new AsyncLocalStorage<ProgressReporter>()

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
