import type { BaseOp } from '../ops/base-op.js'

/**
 * Hooks called around every execution of the ops it is given to. Extend it and override what you
 * need; a hook may return a Promise, which is awaited.
 *
 * @example
 * ```ts
 * class Timing extends OpCallback {
 *   override beforeExecution(op: BaseOp) { console.time(op.name) }
 *   override afterExecution(op: BaseOp) { console.timeEnd(op.name) }
 * }
 * new AddOneOp({ callbacks: [new Timing()] })
 * ```
 */
export class OpCallback {
  beforeExecution(_op: BaseOp, _args: unknown[]): void | Promise<void> {}
  afterExecution(_op: BaseOp, _args: unknown[], _output: unknown): void | Promise<void> {}
}
