/**
 * Turns values into bytes and back, for data nodes and op state.
 *
 * @example
 * ```ts
 * const bytes = new JSONSerializer().serialize({ a: 1 })
 * ```
 */
export abstract class BaseSerializer<T = unknown> {
  /** The usual file extension, for documentation and tooling. */
  abstract readonly extension: string
  abstract serialize(value: T): Uint8Array
  abstract deserialize(bytes: Uint8Array): T
}
