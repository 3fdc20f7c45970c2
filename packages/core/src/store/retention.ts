import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import type { PruneReport, StateRecord } from './state-store.js'

/** The states retention keeps per node unless told otherwise. */
export const DEFAULT_KEEP = 10

/**
 * A store's `retention` option, checked: {@link DEFAULT_KEEP} when not given, `false` to keep every
 * state, else a whole number of states per node (1 or more); anything else is `INVALID_INPUT`
 * naming the store.
 *
 * @example
 * ```ts
 * this.keep = retentionOption('PostgresStore', options.retention) // 10 when not given
 * ```
 */
export function retentionOption(store: string, retention: number | false | undefined): number | false {
  const keep = retention === undefined ? DEFAULT_KEEP : retention
  if (keep !== false && !(Number.isInteger(keep) && keep >= 1)) {
    throw new ChariotsError(
      ErrorCode.INVALID_INPUT,
      `${store} retention must be a whole number of states per node (1 or more) or false, got ${String(retention)}`,
    )
  }
  return keep
}

/**
 * Splits records into the ones retention keeps and the ones it drops: the newest `keep` of every
 * node, plus every state the lineage of a kept state names (so a pair trained together stays
 * loadable), transitively.
 *
 * @example
 * ```ts
 * const { kept, dropped } = applyRetention(records, 10)
 * ```
 */
export function applyRetention(
  records: readonly StateRecord[],
  keep: number,
): { kept: StateRecord[]; dropped: StateRecord[] } {
  const byNode = new Map<string, StateRecord[]>()
  for (const r of records) {
    const list = byNode.get(r.node)
    if (list) list.push(r)
    else byNode.set(r.node, [r])
  }
  const kept = new Set<StateRecord>()
  const pending: StateRecord[] = []
  for (const list of byNode.values()) {
    list.sort((a, b) => a.seq - b.seq)
    for (const r of list.slice(Math.max(0, list.length - keep))) {
      kept.add(r)
      pending.push(r)
    }
  }
  // States named by a kept state's lineage are kept too, and so on upstream.
  const byKey = new Map<string, StateRecord[]>()
  for (const r of records) {
    const key = `${r.node}\u0000${r.version}`
    const list = byKey.get(key)
    if (list) list.push(r)
    else byKey.set(key, [r])
  }
  while (pending.length > 0) {
    const r = pending.pop()!
    for (const [up, version] of Object.entries(r.lineage)) {
      for (const ref of byKey.get(`${up}\u0000${version}`) ?? []) {
        if (!kept.has(ref)) {
          kept.add(ref)
          pending.push(ref)
        }
      }
    }
  }
  const inOrder = (list: Iterable<StateRecord>) => [...list].sort((a, b) => a.seq - b.seq)
  return { kept: inOrder(kept), dropped: inOrder(records.filter((r) => !kept.has(r))) }
}

/**
 * What a prune did, from each node's state count before and after it: the states removed (nodes
 * that lost some) and the states kept (every node seen before).
 *
 * @example
 * ```ts
 * pruneReport(new Map([['pca', 12]]), new Map([['pca', 10]])) // { removed: { pca: 2 }, kept: { pca: 10 } }
 * ```
 */
export function pruneReport(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): PruneReport {
  const removed: Record<string, number> = {}
  const kept: Record<string, number> = {}
  for (const [node, n] of before) {
    const left = after.get(node) ?? 0
    kept[node] = left
    if (n > left) removed[node] = n - left
  }
  return { removed, kept }
}
