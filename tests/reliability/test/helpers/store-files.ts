import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { FileSaver, OpStore, type StateRecord } from '@chariots/core'

/** A file a write or a lock leaves while it runs: `<name>.tmp-…`, `<lock>.new-…`, `<lock>.stale-…`. */
export const isTempFile = (path: string): boolean => /\.(tmp|new|stale)-/.test(path)

/** The store's files (paths relative to the root, sorted), temp files included. */
export async function listing(root: string): Promise<string[]> {
  if (!existsSync(root)) return []
  return (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort()
}

/** The folder store's index as bytes on disk: the names of the commit files, the newest one. */
export interface IndexBytes {
  files: string[]
  newest: Buffer | null
}

/** Reads {@link IndexBytes}, to compare an index byte for byte before and after a failed save. */
export async function indexBytes(root: string): Promise<IndexBytes> {
  const dir = join(root, '_index')
  const files = existsSync(dir) ? (await readdir(dir)).sort() : []
  const commits = files.filter((f) => /^\d{12}\.json$/.test(f))
  const newest = commits.at(-1)
  return {
    files,
    newest: newest ? await readFile(join(dir, newest)) : null,
  }
}

/** The index as the files say, read without the store's code: every commit file must parse. */
export interface IndexOnDisk {
  /** The commit numbers of the index files present, ascending. */
  commits: number[]
  /** The records of the newest commit (none when nothing was committed). */
  records: StateRecord[]
}

/** Parses every `/_index/<n>.json` (throws when one does not parse or is not format 2). */
export async function indexOnDisk(root: string): Promise<IndexOnDisk> {
  const dir = join(root, '_index')
  const files = existsSync(dir) ? await readdir(dir) : []
  const commits = files
    .filter((f) => /^\d{12}\.json$/.test(f))
    .map((f) => Number(f.slice(0, 12)))
    .sort((a, b) => a - b)
  let records: StateRecord[] = []
  for (const n of commits) {
    const name = `${String(n).padStart(12, '0')}.json`
    const file = JSON.parse(await readFile(join(dir, name), 'utf8'))
    if (file.format !== 2 || file.commit !== n || !Array.isArray(file.states)) {
      throw new Error(`_index/${name} is not a format-2 index of commit ${n}`)
    }
    records = file.states
  }
  return { commits, records }
}

/** Every record a store opened on `root` now lists, in save order (what a new process would load). */
export async function committedRecords(root: string): Promise<StateRecord[]> {
  const store = new OpStore(new FileSaver(root), { retention: false })
  const lists = await Promise.all((await store.listNodes()).map((n) => store.listStates(n)))
  return lists.flat().sort((a, b) => a.seq - b.seq || a.node.localeCompare(b.node))
}

/**
 * What is wrong with the bytes of `records` (empty when nothing): each blob must be a file of the
 * root, not a temp file, whose SHA-256 is its name (the store is content-addressed, so a truncated
 * or half-written file shows).
 */
export async function blobProblems(root: string, records: readonly StateRecord[]): Promise<string[]> {
  const problems: string[] = []
  for (const r of records) {
    const file = join(root, r.blob)
    if (isTempFile(r.blob)) problems.push(`${r.node} ${r.seq}: names a temp file ${r.blob}`)
    else if (!existsSync(file)) problems.push(`${r.node} ${r.seq}: ${r.blob} is missing`)
    else {
      const sha = createHash('sha256')
        .update(await readFile(file))
        .digest('hex')
      if (sha !== basename(r.blob)) problems.push(`${r.node} ${r.seq}: ${r.blob} holds other bytes (${sha})`)
    }
  }
  return problems
}
