import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'

/** A temp folder holding app roots, with decoy files around them. */
export interface TempStore {
  /** The temp folder: everything in it outside the roots must stay as it was. */
  parent: string
  /** The path of an app root `parent/apps/<name>` (not created: apps create their roots). */
  root(name: string): string
  /** Every entry of `parent` outside the roots: path, and for files size, mtime and content hash. */
  snapshotOutside(): Promise<string[]>
  remove(): Promise<void>
}

/**
 * A fresh temp folder for app roots two levels down (`parent/apps/<name>`), so a path that climbs
 * out of a root with `../..` lands inside `parent`, next to decoys (`parent/keep.txt`,
 * `parent/etc/passwd`) that a snapshot would show changed.
 *
 * @example
 * ```ts
 * const store = await tempStore()
 * const before = await store.snapshotOutside()
 * const app = new Chariots(pipelines, { path: store.root('a') })
 * // … requests …
 * expect(await store.snapshotOutside()).toEqual(before)
 * ```
 */
export async function tempStore(prefix = 'chariots-reliability-'): Promise<TempStore> {
  const parent = await mkdtemp(join(tmpdir(), prefix))
  await mkdir(join(parent, 'apps'))
  await mkdir(join(parent, 'etc'))
  await writeFile(join(parent, 'keep.txt'), 'a file outside every app root\n')
  await writeFile(join(parent, 'etc', 'passwd'), 'root:x:0:0:decoy\n')
  const roots = new Set<string>()
  return {
    parent,
    root(name) {
      const path = join(parent, 'apps', name)
      roots.add(path)
      return path
    },
    async snapshotOutside() {
      const lines: string[] = []
      const entries = await readdir(parent, { recursive: true, withFileTypes: true })
      for (const e of entries) {
        const full = join(e.parentPath, e.name)
        if ([...roots].some((r) => full === r || full.startsWith(r + sep))) continue
        const rel = relative(parent, full)
        if (!e.isFile()) {
          lines.push(`${rel}/`)
          continue
        }
        const s = await stat(full)
        const hash = createHash('sha1')
          .update(await readFile(full))
          .digest('hex')
        lines.push(`${rel} ${s.size} ${s.mtimeMs} ${hash}`)
      }
      return lines.sort()
    },
    remove: () => rm(parent, { recursive: true, force: true }),
  }
}
