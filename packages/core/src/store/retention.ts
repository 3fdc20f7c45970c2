import type { StateRecord } from './state-store.js'

/** The states retention keeps per node unless told otherwise. */
export const DEFAULT_KEEP = 10

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
