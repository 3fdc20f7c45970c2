import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import { BaseSerializer } from './base-serializer.js'

/**
 * UTF-8 JSON.
 *
 * @example
 * ```ts
 * new JSONSerializer().deserialize(new JSONSerializer().serialize([1, 2])) // [1, 2]
 * ```
 */
export class JSONSerializer extends BaseSerializer<unknown> {
  readonly extension = 'json'

  serialize(value: unknown): Uint8Array {
    return Buffer.from(JSON.stringify(value ?? null), 'utf8')
  }

  deserialize(bytes: Uint8Array): unknown {
    try {
      return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'))
    } catch (cause) {
      throw new ChariotsError(
        ErrorCode.SERIALIZATION_ERROR,
        `bytes are not valid JSON: ${(cause as Error).message}`,
        { cause },
      )
    }
  }
}
