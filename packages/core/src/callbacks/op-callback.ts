import type { BaseOp } from '../ops/base-op.js'

/**
 * Hooks called around every execution of the ops it is given to. Extend it and override what you
 * need; a hook may return a Promise, which is awaited. The signatures are the Python original's
 * (`before_execution(op, args)`, `after_execution(op, args, output)`).
 *
 * Do not modify `args` or `output`: they are the values the op receives and produces.
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
  /**
   * Called before the op runs (before the op's own `beforeExecution`).
   * @param op the op about to run
   * @param args the arguments `execute` receives, in order
   */
  beforeExecution(_op: BaseOp, _args: unknown[]): void | Promise<void> {}

  /**
   * Called after the op ran (after the op's own `afterExecution`); not called when it throws.
   * @param op the op that ran
   * @param args the arguments `execute` received
   * @param output what `execute` returned (awaited)
   */
  afterExecution(_op: BaseOp, _args: unknown[], _output: unknown): void | Promise<void> {}
}
