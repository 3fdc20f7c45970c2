import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import type { BaseSaver } from '../savers/base-saver.js'
import { Version } from '../versioning/version.js'
import type { StateRecord } from './state-store.js'

/** The metadata file of stores written before lineage (downstream → upstream → versions). */
export const LEGACY_META_PATH = '/_meta.json'
const END_OF_PIPE = '__end_of_pipe__'

/**
 * Reads a store written before lineage existed (`/_meta.json` and `/models/<node>/<version>`) as
 * state records. That layout recorded which upstream versions a node was ever validated with, not
 * which state was trained on which; each state's lineage is rebuilt as the latest validated
 * upstream version created no later than the state itself (the upstream it was trained after).
 * Answers null when there is no such file. Nothing is written: the next save writes the new index.
 *
 * @example
 * ```ts
 * const records = await readLegacyMeta(new FileSaver(root)) // null for a new store
 * ```
 */
export async function readLegacyMeta(saver: BaseSaver): Promise<StateRecord[] | null> {
  if (!(await saver.exists(LEGACY_META_PATH))) return null
  const links = parseLegacy(await saver.load(LEGACY_META_PATH))
  const versionsOf = new Map<string, Map<string, Version>>()
  for (const ups of Object.values(links)) {
    for (const [up, versions] of Object.entries(ups)) {
      for (const v of versions) {
        const parsed = parseVersion(v)
        if (!parsed) continue
        const map = versionsOf.get(up) ?? new Map<string, Version>()
        versionsOf.set(up, map)
        map.set(v, parsed)
      }
    }
  }
  const found: Array<{ node: string; version: Version; path: string }> = []
  for (const [node, versions] of versionsOf) {
    for (const [text, version] of versions) {
      const path = `/models/${node}/${text}`
      if (await saver.exists(path)) found.push({ node, version, path })
    }
  }
  found.sort((a, b) => a.version.creationTime - b.version.creationTime)
  return found.map(({ node, version, path }, i) => ({
    node,
    seq: i + 1,
    version: version.toString(),
    codeVersion: null,
    lineage: rebuildLineage(links[node] ?? {}, version),
    blob: path,
    size: null,
    savedAt: new Date(version.creationTime * 1000).toISOString(),
    savedBy: 'migrated from /_meta.json',
    pipeline: null,
  }))
}

function rebuildLineage(ups: Record<string, string[]>, own: Version): Record<string, string> {
  const lineage: Record<string, string> = {}
  for (const [up, texts] of Object.entries(ups)) {
    if (up === END_OF_PIPE) continue
    const versions = texts.map(parseVersion).filter((v): v is Version => v !== null)
    versions.sort((a, b) => a.creationTime - b.creationTime)
    const before = versions.filter((v) => v.creationTime <= own.creationTime)
    const pick = before.at(-1) ?? versions[0]
    if (pick) lineage[up] = pick.toString()
  }
  return lineage
}

function parseVersion(text: unknown): Version | null {
  if (typeof text !== 'string') return null
  try {
    return Version.parse(text)
  } catch {
    return null
  }
}

function parseLegacy(bytes: Uint8Array): Record<string, Record<string, string[]>> {
  let meta: unknown
  try {
    meta = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch (cause) {
    throw new ChariotsError(
      ErrorCode.STORE_ERROR,
      `the old store metadata '${LEGACY_META_PATH}' is not valid JSON (${(cause as Error).message}); restore it from a backup or delete it to start over`,
      { cause },
    )
  }
  const out: Record<string, Record<string, string[]>> = {}
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return out
  for (const [down, ups] of Object.entries(meta)) {
    if (typeof ups !== 'object' || ups === null || Array.isArray(ups)) continue
    const entry: Record<string, string[]> = {}
    for (const [up, versions] of Object.entries(ups)) {
      if (Array.isArray(versions)) entry[up] = versions.filter((v): v is string => typeof v === 'string')
    }
    out[down] = entry
  }
  return out
}
