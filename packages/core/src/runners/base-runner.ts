import type { PipelineCallback } from '../callbacks/pipeline-callback.js'
import type { Node } from '../pipeline/node.js'
import type { Pipeline } from '../pipeline/pipeline.js'
import { ReservedNodes } from '../pipeline/reserved-nodes.js'

/** Options of one run. */
export interface RunOptions {
  /** Pipeline callbacks to call besides the pipeline's own (the server's defaults). */
  callbacks?: readonly PipelineCallback[]
}

/**
 * Runs pipelines. Subclasses decide the order of nodes; callbacks, input and output checks and
 * nested pipelines are handled here so every runner behaves the same.
 *
 * @example
 * ```ts
 * const output = await new SequentialRunner().run(pipeline, 4)
 * ```
 */
export abstract class BaseRunner {
  /** Runs `pipeline` on `input` and resolves to its output (undefined when none). */
  async run(pipeline: Pipeline, input?: unknown, options: RunOptions = {}): Promise<unknown> {
    const parsed = pipeline.parseInput(input)
    const callbacks = options.callbacks?.length
      ? [...pipeline.callbacks, ...options.callbacks]
      : pipeline.callbacks
    for (const cb of callbacks) await cb.beforeExecution(pipeline, [parsed])
    const values = new Map<string, unknown>([[ReservedNodes.pipelineInput, parsed]])
    await this.runNodes(pipeline, values, callbacks)
    const output = pipeline.parseOutput(values.get(ReservedNodes.pipelineOutput))
    for (const cb of callbacks) await cb.afterExecution(pipeline, [parsed], output)
    return output
  }

  /** Runs every node of the pipeline, filling `values` with their outputs. */
  protected abstract runNodes(
    pipeline: Pipeline,
    values: Map<string, unknown>,
    callbacks: readonly PipelineCallback[],
  ): Promise<void>

  /** Runs one node with the pipeline callbacks around it; synchronous when everything is. */
  protected runNode(
    pipeline: Pipeline,
    node: Node,
    values: Map<string, unknown>,
    callbacks: readonly PipelineCallback[],
  ): unknown {
    const inputs = node.inputNodes
    const args = new Array<unknown>(inputs.length)
    for (let i = 0; i < inputs.length; i++) args[i] = values.get(inputs[i]!)
    if (callbacks.length === 0) {
      const out = node.run(args, this)
      if (out instanceof Promise) return out.then((v) => node.assignOutputs(v, values))
      node.assignOutputs(out, values)
      return undefined
    }
    return this.runNodeWithCallbacks(pipeline, node, args, values, callbacks)
  }

  private async runNodeWithCallbacks(
    pipeline: Pipeline,
    node: Node,
    args: unknown[],
    values: Map<string, unknown>,
    callbacks: readonly PipelineCallback[],
  ): Promise<void> {
    for (const cb of callbacks) await cb.beforeNodeExecution(pipeline, node, args)
    const out = await node.run(args, this)
    node.assignOutputs(out, values)
    for (const cb of callbacks) await cb.afterNodeExecution(pipeline, node, args, out)
  }
}
