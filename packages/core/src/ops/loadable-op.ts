import { BaseOp } from './base-op.js'

/**
 * An op with state that is saved to the store and loaded back (a trained model, a counter).
 *
 * @example
 * ```ts
 * class CounterOp extends LoadableOp {
 *   count = 0
 *   execute() { return ++this.count }
 *   serialize() { return new TextEncoder().encode(String(this.count)) }
 *   load(bytes: Uint8Array) { this.count = Number(new TextDecoder().decode(bytes)) }
 * }
 * ```
 */
export abstract class LoadableOp extends BaseOp {
  /** Set when state was loaded from a store or produced by training in this process. */
  hasSavedState = false

  /** The op's state as bytes. */
  abstract serialize(): Uint8Array | Promise<Uint8Array>

  /** Restores the state `serialize` produced. */
  abstract load(bytes: Uint8Array): void | Promise<void>

  /** True when the op cannot run before state was saved for it (an ML op in PREDICT mode). */
  get requiresSavedState(): boolean {
    return false
  }
}

/** Whether an op is a {@link LoadableOp} (also across copies of this package). */
export function isLoadableOp(op: unknown): op is LoadableOp {
  return (
    op instanceof LoadableOp ||
    (typeof op === 'object' &&
      op !== null &&
      typeof (op as LoadableOp).serialize === 'function' &&
      typeof (op as LoadableOp).load === 'function')
  )
}
