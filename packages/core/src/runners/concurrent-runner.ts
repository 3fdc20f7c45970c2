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
    if (nodes.length === 0) return Promise.resolve()
    const waitingOn = dependencies.map((d) => d.length)
    const ready: number[] = []
    waitingOn.forEach((n, i) => {
      if (n === 0) ready.push(i)
    })
    let next = 0
    let finished = 0
    let failed = false
    let draining = false
    let resolve!: () => void
    let reject!: (err: unknown) => void
    const whole = new Promise<void>((res, rej) => {
      resolve = res
      reject = rej
    })
    const fail = (err: unknown) => {
      if (!failed) {
        failed = true
        reject(err)
      }
    }
    const complete = (i: number) => {
      finished++
      for (const d of dependents[i]!) if (--waitingOn[d]! === 0) ready.push(d)
      if (finished === nodes.length) resolve()
    }
    // Runs every ready node: synchronous ones complete in this loop (no promise per node), async
    // ones are started and drain again when they settle, so independent branches overlap.
    const drain = () => {
      if (draining) return
      draining = true
      while (next < ready.length && !failed) {
        const i = ready[next++]!
        let pending: unknown
        try {
          pending = this.runNode(pipeline, nodes[i]!, values, callbacks)
        } catch (err) {
          fail(err)
          break
        }
        if (pending instanceof Promise) {
          pending.then(() => {
            if (failed) return
            complete(i)
            drain()
          }, fail)
        } else {
          complete(i)
        }
      }
      draining = false
    }
    drain()
    return whole
  }
}
