import type { PipelineCallback } from '../callbacks/pipeline-callback.js'
import type { Pipeline } from '../pipeline/pipeline.js'
import { BaseRunner } from './base-runner.js'

/**
 * Runs the nodes one after the other, in the order the pipeline lists them.
 *
 * @example
 * ```ts
 * await new SequentialRunner().run(isOddPipeline, 4) // false
 * ```
 */
export class SequentialRunner extends BaseRunner {
  protected async runNodes(
    pipeline: Pipeline,
    values: Map<string, unknown>,
    callbacks: readonly PipelineCallback[],
  ) {
    for (const node of pipeline.nodes) {
      const pending = this.runNode(pipeline, node, values, callbacks)
      if (pending instanceof Promise) await pending
    }
  }
}
