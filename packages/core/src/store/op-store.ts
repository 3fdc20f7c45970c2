import { createHash } from 'node:crypto'
import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import type { BaseSaver } from '../savers/base-saver.js'
import { LazyValue } from './lazy-value.js'
import { readLegacyMeta } from './legacy-meta.js'
import { readStateBytes } from './read-state-bytes.js'
import { applyRetention, DEFAULT_KEEP, pruneReport, retentionOption } from './retention.js'
import type { NewState, PruneOptions, PruneReport, StateRecord, StateStore } from './state-store.js'
import {
  chunkFileOf,
  type HistoryChunk,
  indexFileOf,
  parseChunkFile,
  parseIndexFile,
  type StoreIndex,
  storeIndexOf,
} from './store-index.js'

/** Options of an {@link OpStore}. */
export interface OpStoreOptions {
  /**
   * States kept per node after each save (newest first; states a kept state's lineage names are
   * always kept). Default 10; `false` keeps every state.
   */
  retention?: number | false
}

const INDEX_FOLDER = '/_index'
const INDEX_FILE = /^(\d{12})\.json$/
/** Commits whose index files stay readable behind the newest (for readers that are a little late). */
const KEEP_INDEX_FILES = 8
/** With retention off, each node's newest states stay in the commit file... */
const RECENT = 16
/** ...and older ones move to history chunk files, this many at a time. */
const CHUNK = 100

/** The path of the index file of commit `n`. */
export function indexPath(n: number): string {
  return `${INDEX_FOLDER}/${String(n).padStart(12, '0')}.json`
}

/**
 * The folder store: saved states and their lineage on a saver (a `FileSaver` folder by default).
 *
 * Layout: the bytes of each state at `/models/<node>/<sha256>` (content-addressed, so two saves of
 * the same bytes never clash), and one index file per commit at `/_index/<n>.json` holding every
 * record; the newest is the highest number in the folder. A commit creates the next index file
 * with `saveExclusive`, which fails when another process committed that number first: the commit
 * then reads the newer index and tries again. So no save overwrites another, even when a lock was
 * lost; the lock only keeps writers from wasting work. The saver must `list`, `saveExclusive` and
 * `delete` (FileSaver does). With retention off, a node's older states move out of the commit file
 * into immutable history chunks, so a load that finds a fitting state among the newest reads a
 * small index, however many states were ever saved. A store written before lineage
 * (`/_meta.json`) is read as it is and migrated by its first save.
 *
 * @example
 * ```ts
 * const store = new OpStore(new FileSaver(root))
 * const [record] = await store.saveStates([{ node: 'pca', version, codeVersion, lineage: {}, bytes }])
 * (await store.listStates('pca')).at(-1)?.seq === record.seq // true
 * ```
 */
export class OpStore implements StateStore {
  readonly saver: BaseSaver
  readonly location: string
  private readonly keep: number | false
  /** The newest index read or committed, read on first use. */
  private readonly index = new LazyValue(() => this.read())
  /** History chunks read so far (immutable, so never stale). */
  private readonly chunks = new Map<string, Promise<StateRecord[]>>()

  constructor(saver: BaseSaver, options: OpStoreOptions = {}) {
    this.saver = saver
    this.location = saver.location
    this.keep = retentionOption('OpStore', options.retention)
  }

  async reload(): Promise<void> {
    this.index.set(await this.read())
  }

  async listStates(node: string): Promise<readonly StateRecord[]> {
    const index = await this.index.get()
    const recent = index.byNode.get(node) ?? []
    const history = index.history.get(node)
    if (!history) return recent
    return [...(await this.readChunks(history)), ...recent]
  }

  /** The node's newest states, and whether they are all of them (older ones sit in history chunks). */
  async recentStates(node: string): Promise<{ states: readonly StateRecord[]; complete: boolean }> {
    const index = await this.index.get()
    return { states: index.byNode.get(node) ?? [], complete: !index.history.has(node) }
  }

  async listNodes(): Promise<readonly string[]> {
    const index = await this.index.get()
    return [...new Set([...index.history.keys(), ...index.byNode.keys()])]
  }

  readState(record: StateRecord): Promise<Uint8Array> {
    return readStateBytes(this.saver, record, this.location)
  }

  async saveStates(states: readonly NewState[]): Promise<StateRecord[]> {
    if (states.length === 0) return []
    const nodes = new Set(states.map((s) => s.node))
    if (nodes.size !== states.length) {
      throw new ChariotsError(ErrorCode.INVALID_INPUT, 'a save holds at most one state per node')
    }
    // Bytes first, outside the lock: a save that dies here leaves unreferenced files, never an
    // index naming bytes that are not there. One after the other, in the order given (upstream
    // first): a write that fails (a full disk) fails the save with no other write still running
    // behind it, so the caller's error comes after the last temp file is gone.
    const blobs: { path: string; size: number }[] = []
    for (const state of states) blobs.push(await this.writeBlob(state))
    return this.commit(async (index) => {
      // Bytes are deleted only under the lock (by a commit whose retention dropped a state with
      // the same bytes): check ours are still there now that we hold it.
      for (let i = 0; i < states.length; i++) {
        if (!(await this.saver.exists(blobs[i]!.path)))
          await this.saver.save(states[i]!.bytes, blobs[i]!.path)
      }
      const seq = index.lastSeq + 1
      const savedAt = new Date().toISOString()
      return states.map((s, i) => ({
        node: s.node,
        seq,
        version: s.version,
        codeVersion: s.codeVersion,
        lineage: { ...s.lineage },
        blob: blobs[i]!.path,
        size: blobs[i]!.size,
        savedAt,
        savedBy: s.savedBy ?? null,
        pipeline: s.pipeline ?? null,
      }))
    }, this.keep)
  }

  async prune(options: PruneOptions = {}): Promise<PruneReport> {
    const keep = options.keep ?? (this.keep === false ? DEFAULT_KEEP : this.keep)
    const count = (index: StoreIndex) => {
      const counts = new Map<string, number>()
      for (const [node, list] of index.byNode) counts.set(node, list.length)
      for (const [node, chunks] of index.history) {
        counts.set(node, (counts.get(node) ?? 0) + chunks.reduce((n, c) => n + c.count, 0))
      }
      return counts
    }
    const before = count(await this.read())
    await this.commit(async () => [], keep)
    return pruneReport(before, count(await this.index.get()))
  }

  /** Reads the newest index (the cached one when nothing was committed since). */
  private async read(): Promise<StoreIndex> {
    for (let attempt = 0; ; attempt++) {
      const n = await this.newestCommit()
      if (n === 0) return storeIndexOf(0, 0, (await readLegacyMeta(this.saver)) ?? [])
      const cached = this.index.peek()
      if (cached?.commit === n) return cached
      try {
        return parseIndexFile(await this.saver.load(indexPath(n)), indexPath(n), this.location)
      } catch (err) {
        // Pruned between the listing and the read: a later commit exists, list again.
        if ((err as ChariotsError).code !== ErrorCode.NOT_FOUND || attempt >= 5) throw err
      }
    }
  }

  /** The highest commit number in the index folder (0 when there is none). */
  private async newestCommit(): Promise<number> {
    let newest = 0
    for (const name of await this.saver.list(INDEX_FOLDER)) {
      const m = INDEX_FILE.exec(name)
      if (m) newest = Math.max(newest, Number(m[1]))
    }
    return newest
  }

  /**
   * Commits the next index: the current records plus `add(current)`, less what retention drops
   * (retention reads a node's history chunks back first). With retention off, the oldest states of
   * a node whose commit-file list grew long move to a new history chunk. Retries when another
   * process committed the same number first.
   */
  private commit(
    add: (index: StoreIndex) => Promise<StateRecord[]>,
    keep: number | false,
  ): Promise<StateRecord[]> {
    return this.saver.withLock('index', async () => {
      for (;;) {
        const index = await this.read()
        const added = await add(index)
        let records = [...index.records]
        let history = new Map(index.history)
        const folded = keep !== false && history.size > 0 ? [...history.values()].flat() : []
        if (folded.length > 0) {
          records = [...(await this.readChunks(folded)), ...records]
          history = new Map()
        }
        records.push(...added)
        const { kept, dropped } =
          keep === false ? { kept: records, dropped: [] } : applyRetention(records, keep)
        if (added.length === 0 && dropped.length === 0 && folded.length === 0) return added
        const lastSeq = Math.max(index.lastSeq, ...added.map((r) => r.seq))
        const next = await this.spill(storeIndexOf(index.commit + 1, lastSeq, kept, history), keep)
        if (!(await this.saver.saveExclusive(indexFileOf(next), indexPath(next.commit)))) continue
        this.index.set(next)
        await this.afterCommit(next, dropped, folded)
        return added
      }
    })
  }

  /** Moves the oldest states of nodes with more than RECENT + CHUNK in the commit file to chunks. */
  private async spill(index: StoreIndex, keep: number | false): Promise<StoreIndex> {
    if (keep !== false) return index
    const long = [...index.byNode].filter(([, list]) => list.length > RECENT + CHUNK)
    if (long.length === 0) return index
    const moved = new Set<StateRecord>()
    const history = new Map(index.history)
    for (const [node, list] of long) {
      const old = list.slice(0, CHUNK)
      const bytes = chunkFileOf(node, old)
      const path = `${INDEX_FOLDER}/history/${node}/${createHash('sha256').update(bytes).digest('hex')}.json`
      await this.saver.save(bytes, path)
      history.set(node, [
        ...(history.get(node) ?? []),
        { path, count: old.length, firstSeq: old[0]!.seq, lastSeq: old.at(-1)!.seq },
      ])
      for (const r of old) moved.add(r)
    }
    const records = index.records.filter((r) => !moved.has(r))
    return storeIndexOf(index.commit, index.lastSeq, records, history)
  }

  /** The records of history chunks, in order (each chunk read once per store object). */
  private async readChunks(chunks: readonly HistoryChunk[]): Promise<StateRecord[]> {
    const lists = await Promise.all(
      chunks.map((c) => {
        let reading = this.chunks.get(c.path)
        if (!reading) {
          reading = this.saver.load(c.path).then((bytes) => parseChunkFile(bytes, c.path, this.location))
          reading.catch(() => this.chunks.delete(c.path))
          this.chunks.set(c.path, reading)
        }
        return reading
      }),
    )
    return lists.flat()
  }

  /** Housekeeping that may fail without undoing the commit: old index files, dropped bytes. */
  private async afterCommit(
    index: StoreIndex,
    dropped: StateRecord[],
    folded: readonly HistoryChunk[],
  ): Promise<void> {
    const stillUsed = new Set(index.records.map((r) => r.blob))
    const garbage = [...new Set(dropped.map((r) => r.blob))].filter((b) => !stillUsed.has(b))
    garbage.push(...folded.map((c) => c.path))
    if (index.commit > KEEP_INDEX_FILES) garbage.push(indexPath(index.commit - KEEP_INDEX_FILES))
    for (const path of garbage) await this.saver.delete(path).catch(() => undefined)
  }

  private async writeBlob(state: NewState): Promise<{ path: string; size: number }> {
    const sha = createHash('sha256').update(state.bytes).digest('hex')
    const path = `/models/${state.node}/${sha}`
    if (!(await this.saver.exists(path))) await this.saver.save(state.bytes, path)
    return { path, size: state.bytes.byteLength }
  }
}
