import type { Node } from '../pipeline/node.js'
import type { Pipeline } from '../pipeline/pipeline.js'

/**
 * Hooks called around a pipeline run and around each of its nodes. Extend it and override what
 * you need; a hook may return a Promise, which is awaited.
 *
 * @example
 * ```ts
 * class Log extends PipelineCallback {
 *   override afterNodeExecution(p: Pipeline, node: Node, _args: unknown[], out: unknown) {
 *     console.log(p.name, node.name, out)
 *   }
 * }
 * new Pipeline(nodes, 'p', { callbacks: [new Log()] })
 * ```
 */
export class PipelineCallback {
  beforeExecution(_pipeline: Pipeline, _input: unknown): void | Promise<void> {}
  beforeNodeExecution(_pipeline: Pipeline, _node: Node, _args: unknown[]): void | Promise<void> {}
  afterNodeExecution(
    _pipeline: Pipeline,
    _node: Node,
    _args: unknown[],
    _output: unknown,
  ): void | Promise<void> {}
  afterExecution(_pipeline: Pipeline, _output: unknown): void | Promise<void> {}
}
