import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import type { StateRecord } from './state-store.js'

/** One commit of the folder store's index, with the records grouped by node. */
export interface StoreIndex {
  /** The commit number (0: nothing committed in the new layout yet). */
  readonly commit: number
  /** The greatest save-order number handed out so far. */
  readonly lastSeq: number
  /** Every record, in save order. */
  readonly records: readonly StateRecord[]
  /** Each node's records, in save order. */
  readonly byNode: ReadonlyMap<string, readonly StateRecord[]>
}

/** Builds an index from records (sorted into save order). */
export function storeIndexOf(commit: number, lastSeq: number, records: readonly StateRecord[]): StoreIndex {
  const sorted = [...records].sort((a, b) => a.seq - b.seq)
  const byNode = new Map<string, StateRecord[]>()
  for (const r of sorted) {
    const list = byNode.get(r.node)
    if (list) list.push(r)
    else byNode.set(r.node, [r])
  }
  const maxSeq = sorted.at(-1)?.seq ?? 0
  return { commit, lastSeq: Math.max(lastSeq, maxSeq), records: sorted, byNode }
}

/** Parses an index file (`{ format: 2, commit, lastSeq, states }`), naming the file when it is broken. */
export function parseIndexFile(bytes: Uint8Array, path: string, location: string): StoreIndex {
  const broken = (why: string, cause?: unknown): never => {
    throw new ChariotsError(
      ErrorCode.STORE_ERROR,
      `the store index '${path}' in '${location}' is broken (${why}); restore it from a backup, or delete it to fall back to the commit before`,
      { cause, details: { path } },
    )
  }
  let file: { format?: unknown; commit?: unknown; lastSeq?: unknown; states?: unknown }
  try {
    file = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch (cause) {
    return broken(`not JSON: ${(cause as Error).message}`, cause)
  }
  if (typeof file !== 'object' || file === null) return broken('not an object')
  if (file.format !== 2) return broken(`format ${String(file.format)} is not one this version reads (2)`)
  if (!Number.isInteger(file.commit) || !Number.isInteger(file.lastSeq) || !Array.isArray(file.states)) {
    return broken('commit, lastSeq or states is missing')
  }
  const records = file.states.filter(isRecord)
  if (records.length !== file.states.length) broken('a state record is malformed')
  return storeIndexOf(file.commit as number, file.lastSeq as number, records)
}

function isRecord(r: unknown): r is StateRecord {
  const v = r as Partial<StateRecord> | null
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.node === 'string' &&
    Number.isInteger(v.seq) &&
    typeof v.version === 'string' &&
    typeof v.blob === 'string' &&
    typeof v.lineage === 'object' &&
    v.lineage !== null
  )
}
