import type { PipelineCallback } from '../callbacks/pipeline-callback.js'
import { checkLineageAtRun, lineageOf, upstreamVersions } from '../lifecycle/version-rule.js'
import type { Node } from '../pipeline/node.js'
import type { Pipeline } from '../pipeline/pipeline.js'
import { ReservedNodes } from '../pipeline/reserved-nodes.js'
import type { Version } from '../versioning/version.js'

/** Options of one run. */
export interface RunOptions {
  /** Pipeline callbacks to call besides the pipeline's own (the server's defaults). */
  callbacks?: readonly PipelineCallback[]
  /** Versions of the nodes upstream of a nested pipeline (set by the runner for nested runs). */
  upstream?: ReadonlyMap<string, Version>
}

const NO_UPSTREAM: ReadonlyMap<string, Version> = new Map()

/**
 * Runs pipelines. Subclasses decide the order of nodes; callbacks, input and output checks,
 * nested pipelines and the version rule at run time are handled here so every runner behaves the
 * same: a node holding a loaded state checks, before it runs, that its upstream is still what the
 * state was trained on; a node whose op changes its state records the versions upstream of it as
 * the new state's lineage.
 *
 * @example
 * ```ts
 * const output = await new SequentialRunner().run(pipeline, 4)
 * ```
 */
export abstract class BaseRunner {
  /** The upstream versions of a nested run, keyed by its values map. */
  private readonly outerOf = new WeakMap<Map<string, unknown>, ReadonlyMap<string, Version>>()

  /** Runs `pipeline` on `input` and resolves to its output (undefined when none). */
  async run(pipeline: Pipeline, input?: unknown, options: RunOptions = {}): Promise<unknown> {
    const parsed = pipeline.parseInput(input)
    const callbacks = options.callbacks?.length
      ? [...pipeline.callbacks, ...options.callbacks]
      : pipeline.callbacks
    for (const cb of callbacks) await cb.beforeExecution(pipeline, [parsed])
    const values = new Map<string, unknown>([[ReservedNodes.pipelineInput, parsed]])
    if (options.upstream) this.outerOf.set(values, options.upstream)
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
    const op = node.loadableOp
    if (op || node.pipeline) return this.runTracked(pipeline, node, args, values, callbacks)
    if (callbacks.length === 0) {
      const out = node.run(args, this)
      if (out instanceof Promise) return out.then((v) => node.assignOutputs(v, values))
      node.assignOutputs(out, values)
      return undefined
    }
    return this.runNodeWithCallbacks(pipeline, node, args, values, callbacks)
  }

  /**
   * A node with state, or a nested pipeline: checks the state's lineage before the run, records
   * the new lineage when the run changed the state, and gives a nested run its upstream versions.
   */
  private runTracked(
    pipeline: Pipeline,
    node: Node,
    args: unknown[],
    values: Map<string, unknown>,
    callbacks: readonly PipelineCallback[],
  ): unknown {
    const index = pipeline.nodes.indexOf(node)
    const outer = this.outerOf.get(values) ?? NO_UPSTREAM
    const nested = node.pipeline
    if (nested) {
      const upstream = upstreamVersions(pipeline, index, outer)
      const run = async () => {
        for (const cb of callbacks) await cb.beforeNodeExecution(pipeline, node, args)
        const out = await this.run(nested, args.length <= 1 ? args[0] : args, { upstream })
        node.assignOutputs(out, values)
        for (const cb of callbacks) await cb.afterNodeExecution(pipeline, node, args, out)
      }
      return run()
    }
    const op = node.loadableOp!
    checkLineageAtRun(pipeline, index, op, outer)
    const revision = op.stateRevision
    const record = () => {
      if (op.stateRevision !== revision && op.state) {
        op.state.lineage = lineageOf(upstreamVersions(pipeline, index, outer))
      }
    }
    const out =
      callbacks.length === 0
        ? (() => {
            const result = node.run(args, this)
            if (result instanceof Promise) return result.then((v) => node.assignOutputs(v, values))
            node.assignOutputs(result, values)
            return undefined
          })()
        : this.runNodeWithCallbacks(pipeline, node, args, values, callbacks)
    if (out instanceof Promise) return out.then(record)
    record()
    return undefined
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
