import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import type { StateRecord } from './state-store.js'

/** Older states of a node, moved out of the commit file into an immutable file of their own. */
export interface HistoryChunk {
  /** The chunk file (content-addressed). */
  readonly path: string
  readonly count: number
  readonly firstSeq: number
  readonly lastSeq: number
}

/** One commit of the folder store's index, with the records grouped by node. */
export interface StoreIndex {
  /** The commit number (0: nothing committed in the new layout yet). */
  readonly commit: number
  /** The greatest save-order number handed out so far. */
  readonly lastSeq: number
  /** The records the commit file holds (each node's newest), in save order. */
  readonly records: readonly StateRecord[]
  /** Each node's records of the commit file, in save order. */
  readonly byNode: ReadonlyMap<string, readonly StateRecord[]>
  /** Each node's older states, in chunk files, oldest first (only when retention is off). */
  readonly history: ReadonlyMap<string, readonly HistoryChunk[]>
}

/** Builds an index from records (sorted into save order). */
export function storeIndexOf(
  commit: number,
  lastSeq: number,
  records: readonly StateRecord[],
  history: ReadonlyMap<string, readonly HistoryChunk[]> = new Map(),
): StoreIndex {
  const sorted = [...records].sort((a, b) => a.seq - b.seq)
  const byNode = new Map<string, StateRecord[]>()
  for (const r of sorted) {
    const list = byNode.get(r.node)
    if (list) list.push(r)
    else byNode.set(r.node, [r])
  }
  const maxSeq = sorted.at(-1)?.seq ?? 0
  return { commit, lastSeq: Math.max(lastSeq, maxSeq), records: sorted, byNode, history }
}

/** The bytes of an index file. */
export function indexFileOf(index: StoreIndex): Buffer {
  const history: Record<string, readonly HistoryChunk[]> = {}
  for (const [node, chunks] of index.history) history[node] = chunks
  return Buffer.from(
    JSON.stringify({
      format: 2,
      commit: index.commit,
      lastSeq: index.lastSeq,
      states: index.records,
      history,
    }),
  )
}

/** Parses an index file (`{ format: 2, commit, lastSeq, states, history? }`), naming the file when it is broken. */
export function parseIndexFile(bytes: Uint8Array, path: string, location: string): StoreIndex {
  const file = parseJsonFile(bytes, path, location) as {
    commit?: unknown
    lastSeq?: unknown
    states?: unknown
    history?: unknown
  }
  if (!Number.isInteger(file.commit) || !Number.isInteger(file.lastSeq) || !Array.isArray(file.states)) {
    broken(path, location, 'commit, lastSeq or states is missing')
  }
  const history = new Map<string, HistoryChunk[]>()
  if (file.history !== undefined) {
    if (typeof file.history !== 'object' || file.history === null)
      broken(path, location, 'history is not an object')
    for (const [node, chunks] of Object.entries(file.history as Record<string, unknown>)) {
      if (!Array.isArray(chunks) || !chunks.every(isChunk))
        broken(path, location, `the history of '${node}' is malformed`)
      history.set(node, chunks as HistoryChunk[])
    }
  }
  return storeIndexOf(
    file.commit as number,
    file.lastSeq as number,
    recordsOf(file.states, path, location),
    history,
  )
}

/** The bytes of a history chunk file. */
export function chunkFileOf(node: string, records: readonly StateRecord[]): Buffer {
  return Buffer.from(JSON.stringify({ format: 2, node, states: records }))
}

/** Parses a history chunk file (`{ format: 2, node, states }`). */
export function parseChunkFile(bytes: Uint8Array, path: string, location: string): StateRecord[] {
  const file = parseJsonFile(bytes, path, location) as { states?: unknown }
  return recordsOf(file.states, path, location)
}

function parseJsonFile(bytes: Uint8Array, path: string, location: string): Record<string, unknown> {
  let file: unknown
  try {
    file = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch (cause) {
    return broken(path, location, `not JSON: ${(cause as Error).message}`, cause)
  }
  if (typeof file !== 'object' || file === null) return broken(path, location, 'not an object')
  const format = (file as { format?: unknown }).format
  if (format !== 2)
    return broken(path, location, `format ${String(format)} is not one this version reads (2)`)
  return file as Record<string, unknown>
}

function recordsOf(states: unknown, path: string, location: string): StateRecord[] {
  if (!Array.isArray(states)) return broken(path, location, 'states is missing')
  const records = states.filter(isRecord)
  if (records.length !== states.length) broken(path, location, 'a state record is malformed')
  return records
}

function broken(path: string, location: string, why: string, cause?: unknown): never {
  throw new ChariotsError(
    ErrorCode.STORE_ERROR,
    `the store index '${path}' in '${location}' is broken (${why}); restore it from a backup, or delete it to fall back to the commit before`,
    { cause, details: { path } },
  )
}

function isChunk(c: unknown): c is HistoryChunk {
  const v = c as Partial<HistoryChunk> | null
  return typeof v === 'object' && v !== null && typeof v.path === 'string' && Number.isInteger(v.count)
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
