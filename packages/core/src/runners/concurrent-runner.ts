import type { PipelineCallback } from '../callbacks/pipeline-callback.js'
import type { Pipeline } from '../pipeline/pipeline.js'
import { BaseRunner } from './base-runner.js'

/**
 * Starts every node as soon as the nodes it reads from have finished, so independent async
 * branches overlap. Gives the same results as {@link SequentialRunner}. The first failing node
 * rejects the run; nodes already started are left to finish, and no new node starts.
 *
 * @example
 * ```ts
 * await new ConcurrentRunner().run(pipeline, input)
 * ```
 */
export class ConcurrentRunner extends BaseRunner {
  protected runNodes(
    pipeline: Pipeline,
    values: Map<string, unknown>,
    callbacks: readonly PipelineCallback[],
  ) {
    const { nodes, dependencies, dependents } = pipeline
    const waitingOn = dependencies.map((d) => d.length)
    let finished = 0
    let failed = false
    return new Promise<void>((resolve, reject) => {
      if (nodes.length === 0) {
        resolve()
        return
      }
      const start = (i: number): void => {
        let pending: unknown
        try {
          pending = this.runNode(pipeline, nodes[i]!, values, callbacks)
        } catch (err) {
          fail(err)
          return
        }
        if (pending instanceof Promise) pending.then(() => done(i), fail)
        else queueMicrotask(() => done(i))
      }
      const fail = (err: unknown) => {
        if (!failed) {
          failed = true
          reject(err)
        }
      }
      const done = (i: number) => {
        if (failed) return
        finished++
        for (const d of dependents[i]!) if (--waitingOn[d]! === 0) start(d)
        if (finished === nodes.length) resolve()
      }
      waitingOn.forEach((n, i) => {
        if (n === 0) start(i)
      })
    })
  }
}
