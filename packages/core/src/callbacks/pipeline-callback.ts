import type { Node } from '../pipeline/node.js'
import type { Pipeline } from '../pipeline/pipeline.js'

/**
 * Hooks called around a pipeline run and around each of its nodes. Extend it and override what
 * you need; a hook may return a Promise, which is awaited. The signatures are the Python
 * original's (`before_execution(pipeline, args)`, …), so a ported callback keeps its arguments:
 * `args` is always an array, for the pipeline the one-element `[input]`.
 *
 * Do not modify `args` or `output`: they are the values the nodes receive and produce.
 *
 * @example
 * ```ts
 * class Log extends PipelineCallback {
 *   override afterNodeExecution(p: Pipeline, node: Node, _args: unknown[], out: unknown) {
 *     console.log(p.name, node.name, out)
 *   }
 *   override afterExecution(p: Pipeline, [input]: unknown[], output: unknown) {
 *     console.log(`${p.name}(${JSON.stringify(input)}) = ${JSON.stringify(output)}`)
 *   }
 * }
 * new Pipeline(nodes, 'p', { callbacks: [new Log()] })
 * ```
 */
export class PipelineCallback {
  /**
   * Called before any node runs.
   * @param pipeline the pipeline about to run
   * @param args `[input]`: the pipeline input (after its schema, if any), in a one-element array
   */
  beforeExecution(_pipeline: Pipeline, _args: unknown[]): void | Promise<void> {}

  /**
   * Called before each node runs (before its op's callbacks and hooks).
   * @param pipeline the pipeline the node is in
   * @param node the node about to run
   * @param args the values the node receives, in the order of its `inputNodes`
   */
  beforeNodeExecution(_pipeline: Pipeline, _node: Node, _args: unknown[]): void | Promise<void> {}

  /**
   * Called after each node ran (after its op's callbacks and hooks); not called when it throws.
   * @param pipeline the pipeline the node is in
   * @param node the node that ran
   * @param args the values the node received
   * @param output the node's whole result (before it is split among several outputs)
   */
  afterNodeExecution(
    _pipeline: Pipeline,
    _node: Node,
    _args: unknown[],
    _output: unknown,
  ): void | Promise<void> {}

  /**
   * Called after every node ran; not called when a node throws.
   * @param pipeline the pipeline that ran
   * @param args `[input]`, as given to `beforeExecution`
   * @param output the pipeline output (after its schema, if any; undefined when nothing writes it)
   */
  afterExecution(_pipeline: Pipeline, _args: unknown[], _output: unknown): void | Promise<void> {}
}
