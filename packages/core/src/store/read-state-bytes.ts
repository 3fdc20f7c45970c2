import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import type { BaseSaver } from '../savers/base-saver.js'
import type { StateRecord } from './state-store.js'

/**
 * The bytes of a saved state, from the saver that holds them (a store's `readState`). Bytes that
 * are gone are a `STORE_ERROR` naming the node, the state and the fix; other failures pass through.
 *
 * @example
 * ```ts
 * readState(record) { return readStateBytes(this.saver, record, this.location) }
 * ```
 */
export async function readStateBytes(
  saver: BaseSaver,
  record: StateRecord,
  location: string,
): Promise<Uint8Array> {
  try {
    return await saver.load(record.blob)
  } catch (cause) {
    if ((cause as ChariotsError).code !== ErrorCode.NOT_FOUND) throw cause
    throw new ChariotsError(
      ErrorCode.STORE_ERROR,
      `the bytes of state ${record.seq} of node '${record.node}' are missing at '${record.blob}' in store '${location}'; retrain and save that node`,
      { cause, details: { node: record.node, seq: record.seq, path: record.blob } },
    )
  }
}
