import type { BaseSaver } from '../savers/base-saver.js'

/**
 * One saved state of a node: which version of the op it is, which code produced it, and the exact
 * versions of the nodes upstream of it when it was produced (its lineage). The store assigns `seq`
 * under its lock when the state is saved: a later save always has a greater `seq`, whichever
 * process or clock made it.
 */
export interface StateRecord {
  /** The node's name (the store's key). */
  readonly node: string
  /** Save order, assigned by the store when the save commits. */
  readonly seq: number
  /** The op's version with this state (`<major>.<minor>.<patch>_<time>`). */
  readonly version: string
  /** The op class's own version when the state was saved; null for states migrated from an old store. */
  readonly codeVersion: string | null
  /** Upstream node name → its version when this state was produced (data files: their hash). */
  readonly lineage: Readonly<Record<string, string>>
  /** Where the store keeps the bytes (opaque to callers). */
  readonly blob: string
  /** Size of the bytes (null for states migrated from an old store). */
  readonly size: number | null
  /** ISO time of the save. */
  readonly savedAt: string
  /** Who saved it: a job id, a request, a process. */
  readonly savedBy: string | null
  /** The pipeline that saved it. */
  readonly pipeline: string | null
}

/** A state to save: a record without what the store assigns, plus the bytes. */
export interface NewState {
  node: string
  version: string
  codeVersion: string | null
  lineage: Readonly<Record<string, string>>
  bytes: Uint8Array
  savedBy?: string | null
  pipeline?: string | null
}

/** Options of {@link StateStore.prune}. */
export interface PruneOptions {
  /** States kept per node, newest first (default: the store's retention, 10). */
  keep?: number
}

/** What a prune removed. */
export interface PruneReport {
  /** States removed from the index, per node. */
  removed: Record<string, number>
  /** States kept, per node. */
  kept: Record<string, number>
}

/**
 * Where saved states live. The folder store ({@link OpStore} over a saver) is the embedded
 * default; other stores (PostgreSQL) implement the same small interface.
 *
 * - `saveStates` commits several states at once, atomically: all of them or none, each with the
 *   next save-order number.
 * - `listStates` answers a node's states in save order (oldest first).
 * - A store opened without `reload()` reads its index on first use; `reload()` reads it again.
 */
export interface StateStore {
  /** Where the store is, for logs and errors (a folder, a database URL without password). */
  readonly location: string
  /** The saver data nodes read and write through, when the store provides one. */
  readonly saver?: BaseSaver
  /** Reads the index again (what other processes saved since). */
  reload(): Promise<void>
  /** The node's states, oldest first. */
  listStates(node: string): Promise<readonly StateRecord[]>
  /**
   * The node's newest states (at least the last few), and whether they are all of them. A load
   * resolves with these first and reads the whole list only when none fits; stores that keep a long
   * history elsewhere implement it.
   */
  recentStates?(node: string): Promise<{ states: readonly StateRecord[]; complete: boolean }>
  /** Every node with at least one state. */
  listNodes(): Promise<readonly string[]>
  /** Saves states with their lineage, atomically, and answers their records. */
  saveStates(states: readonly NewState[]): Promise<StateRecord[]>
  /** The bytes of a saved state. */
  readState(record: StateRecord): Promise<Uint8Array>
  /** Removes the oldest states beyond `keep` per node (states referenced by a kept state's lineage stay). */
  prune(options?: PruneOptions): Promise<PruneReport>
  /** Releases connections (no-op for the folder store). */
  close?(): Promise<void>
}
