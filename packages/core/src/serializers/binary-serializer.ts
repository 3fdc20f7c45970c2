import { deserialize, serialize } from 'node:v8'
import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import { BaseSerializer } from './base-serializer.js'

/**
 * Structured values (Map, Set, Date, typed arrays, nested objects and arrays, bigint) as bytes,
 * through V8's structured-clone format. Reading never evaluates code; functions and class
 * instances' prototypes are not kept (an instance comes back as a plain object).
 *
 * @example
 * ```ts
 * const b = new BinarySerializer()
 * b.deserialize(b.serialize(new Map([['a', new Set([1])]]))) // Map { 'a' => Set { 1 } }
 * ```
 */
export class BinarySerializer extends BaseSerializer<unknown> {
  readonly extension = 'bin'

  serialize(value: unknown): Uint8Array {
    try {
      return serialize(value)
    } catch (cause) {
      throw new ChariotsError(
        ErrorCode.SERIALIZATION_ERROR,
        `BinarySerializer cannot write this value: ${(cause as Error).message}`,
        { cause },
      )
    }
  }

  deserialize(bytes: Uint8Array): unknown {
    try {
      return deserialize(bytes)
    } catch (cause) {
      throw new ChariotsError(
        ErrorCode.SERIALIZATION_ERROR,
        `bytes are not BinarySerializer output: ${(cause as Error).message}`,
        { cause },
      )
    }
  }
}
