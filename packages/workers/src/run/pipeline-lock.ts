import type { Pipeline } from '@chariots/core'

const tails = new WeakMap<Pipeline, Promise<unknown>>()

/**
 * Runs `fn` while no other `withPipelineLock` call on the same pipeline object runs in this
 * process. Two jobs of one pipeline share its op instances, so their load → run → save must not
 * interleave (a second load would replace the model the first is training). Different pipelines
 * still run concurrently, and other processes are not affected (each has its own op instances).
 *
 * @example
 * ```ts
 * await withPipelineLock(pipeline, async () => { await pipeline.load(store); return runner.run(pipeline) })
 * ```
 */
export async function withPipelineLock<T>(pipeline: Pipeline, fn: () => Promise<T>): Promise<T> {
  const previous = tails.get(pipeline) ?? Promise.resolve()
  const run = previous.then(fn, fn)
  const tail = run.then(
    () => undefined,
    () => undefined,
  )
  tails.set(pipeline, tail)
  try {
    return await run
  } finally {
    if (tails.get(pipeline) === tail) tails.delete(pipeline)
  }
}
