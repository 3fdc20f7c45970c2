import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import type { BaseSaver } from '../savers/base-saver.js'
import { Version } from '../versioning/version.js'

/** The downstream name of the links of a pipeline's last nodes. */
export const END_OF_PIPE = '__end_of_pipe__'
const META_PATH = '/_meta.json'

/** `_meta.json`: downstream op name → upstream op name → version strings validated together. */
export type StoreMetadata = Record<string, Record<string, string[]>>

/**
 * The versions and bytes of every op's saved state, shared by every process that uses the same
 * saver. `save` merges this process's links into the metadata on disk under the saver's lock, so
 * concurrent savers never lose each other's links.
 *
 * @example
 * ```ts
 * const store = new OpStore(new FileSaver(root))
 * await store.reload()
 * await pipeline.load(store)
 * ```
 */
export class OpStore {
  readonly saver: BaseSaver
  private links: Links = new Map()
  /** Links registered since the last save started: a reload or a save in flight must not drop them. */
  private unsaved: Links = new Map()

  constructor(saver: BaseSaver) {
    this.saver = saver
  }

  /** Reads the metadata again (what other processes saved since). */
  async reload(): Promise<void> {
    const links = toLinks(await this.readMetadata())
    mergeLinks(links, this.unsaved)
    this.links = links
  }

  /** Merges this store's links into the metadata on disk, atomically and under the lock. */
  async save(): Promise<void> {
    await this.saver.withLock('meta', async () => {
      const onDisk = toLinks(await this.readMetadata())
      const saving = this.unsaved
      this.unsaved = new Map()
      mergeLinks(onDisk, this.links)
      mergeLinks(onDisk, saving)
      try {
        await this.saver.save(Buffer.from(JSON.stringify(toMetadata(onDisk), null, 1)), META_PATH)
      } catch (err) {
        mergeLinks(this.unsaved, saving)
        throw err
      }
      // Links registered while the file was being written are kept for the next save.
      mergeLinks(onDisk, this.unsaved)
      this.links = onDisk
    })
  }

  /** Records that `upstream` at `version` is valid input for `downstream` (saved by `save`). */
  registerValidLink(downstream: string, upstream: string, version: Version): void {
    addLink(this.links, downstream, upstream, version.toString())
    addLink(this.unsaved, downstream, upstream, version.toString())
  }

  /** The versions of `upstream` that `downstream` was validated with. */
  getValidatedLinks(downstream: string, upstream: string): Version[] {
    return [...(this.links.get(downstream)?.get(upstream) ?? [])].map((v) => Version.parse(v))
  }

  /** Every saved version of an op (any downstream), oldest first. */
  getAllVersionsOfOp(opName: string): Version[] {
    const found = new Map<string, Version>()
    for (const ups of this.links.values()) {
      for (const v of ups.get(opName) ?? []) if (!found.has(v)) found.set(v, Version.parse(v))
    }
    return [...found.values()].sort((a, b) => a.creationTime - b.creationTime)
  }

  /** The saved bytes of an op at a version. */
  getOpBytesForVersion(opName: string, version: Version): Promise<Uint8Array> {
    return this.saver.load(opBytesPath(opName, version))
  }

  /** Saves an op's bytes at a version (atomic). */
  saveOpBytes(opName: string, version: Version, bytes: Uint8Array): Promise<void> {
    return this.saver.save(bytes, opBytesPath(opName, version))
  }

  /** A copy of the metadata as it would be written. */
  toJSON(): StoreMetadata {
    return toMetadata(this.links)
  }

  private async readMetadata(): Promise<StoreMetadata> {
    if (!(await this.saver.exists(META_PATH))) return {}
    const bytes = await this.saver.load(META_PATH)
    try {
      const meta = JSON.parse(Buffer.from(bytes).toString('utf8'))
      if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new Error('not an object')
      return meta as StoreMetadata
    } catch (cause) {
      throw new ChariotsError(
        ErrorCode.STORE_ERROR,
        `the store metadata '${META_PATH}' is not valid JSON (${(cause as Error).message}); restore it from a backup or delete it to start over`,
        { cause },
      )
    }
  }
}

function opBytesPath(opName: string, version: Version): string {
  return `/models/${opName}/${version.toString()}`
}

/** downstream op name → upstream op name → version strings. */
type Links = Map<string, Map<string, Set<string>>>

function mergeLinks(into: Links, from: Links): void {
  for (const [down, ups] of from) {
    for (const [up, versions] of ups) for (const v of versions) addLink(into, down, up, v)
  }
}

function addLink(links: Links, down: string, up: string, version: string): void {
  let ups = links.get(down)
  if (!ups) {
    ups = new Map()
    links.set(down, ups)
  }
  let versions = ups.get(up)
  if (!versions) {
    versions = new Set()
    ups.set(up, versions)
  }
  versions.add(version)
}

function toLinks(meta: StoreMetadata): Links {
  const links: Links = new Map()
  for (const [down, ups] of Object.entries(meta)) {
    if (typeof ups !== 'object' || ups === null) continue
    for (const [up, versions] of Object.entries(ups)) {
      if (!Array.isArray(versions)) continue
      for (const v of versions) if (typeof v === 'string') addLink(links, down, up, v)
    }
  }
  return links
}

function toMetadata(links: Links): StoreMetadata {
  const meta: StoreMetadata = Object.create(null)
  for (const [down, ups] of links) {
    const entry: Record<string, string[]> = Object.create(null)
    for (const [up, versions] of ups) entry[up] = [...versions]
    meta[down] = entry
  }
  return meta
}
