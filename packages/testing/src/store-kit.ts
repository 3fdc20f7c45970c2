import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ChariotsError, ErrorCode } from '@chariots/core'
import { type EnvStore, storeFromEnv } from '@chariots/server'
import type { RunningPostgres } from './start-postgres.js'
import type { RunningS3 } from './start-s3.js'

/** The stores Chariots ships: a folder, PostgreSQL, and PostgreSQL with the bytes in S3. */
export type StoreKind = 'folder' | 'postgres' | 'postgres+s3'

/** Every {@link StoreKind}, for `describe.each`. */
export const STORE_KINDS: readonly StoreKind[] = ['folder', 'postgres', 'postgres+s3']

/** The servers the PostgreSQL kinds need ({@link startPostgres}, {@link startS3}). */
export interface StoreServers {
  postgres?: RunningPostgres
  s3?: RunningS3
}

/** One empty store of a kind, for one test. */
export interface StoreKit {
  readonly kind: StoreKind
  /** The variables `storeFromEnv()` reads to open this store: give them to child processes and app modules. */
  readonly env: Record<string, string>
  /** Opens a new store object on it, as a new process would (never reloaded). */
  open(): Promise<EnvStore>
  /** A fingerprint of every file, row and object the store holds: any write changes it. */
  snapshot(): Promise<unknown>
  /** Closes what `open()` opened and removes the folder, schema or objects. */
  dispose(): Promise<void>
}

/**
 * An empty store of `kind` for one test: a temporary folder, or a schema of its own in the
 * PostgreSQL of `servers` (and a prefix of its own in the S3 bucket `chariots`). One behaviour
 * suite runs over every kind with it, so the stores cannot drift.
 *
 * @example
 * ```ts
 * const kit = await createStoreKit('postgres', { postgres: await startPostgres() })
 * const { store } = await kit.open()
 * ```
 */
export async function createStoreKit(kind: StoreKind, servers: StoreServers = {}): Promise<StoreKit> {
  const opened: EnvStore[] = []
  const open = async () => {
    const stores = await storeFromEnv({ env: env })
    opened.push(stores)
    return stores
  }
  const closeAll = async () => {
    for (const s of opened.splice(0)) {
      await s.announcer?.close()
      await s.store.close?.()
    }
  }
  let env: Record<string, string>
  if (kind === 'folder') {
    const dir = await mkdtemp(join(tmpdir(), 'chariots-store-kit-'))
    env = { CHARIOTS_STORE: dir }
    return {
      kind,
      env,
      open,
      snapshot: () => folderSnapshot(dir),
      dispose: async () => {
        await closeAll()
        await rm(dir, { recursive: true, force: true })
      },
    }
  }
  if (!servers.postgres) {
    throw new ChariotsError(
      ErrorCode.INVALID_INPUT,
      `a '${kind}' store kit needs servers.postgres: pass createStoreKit('${kind}', { postgres: await startPostgres() })`,
    )
  }
  const schema = `t_${randomBytes(6).toString('hex')}`
  env = { CHARIOTS_STORE: servers.postgres.url, CHARIOTS_STORE_SCHEMA: schema }
  if (kind === 'postgres+s3') {
    if (!servers.s3) {
      throw new ChariotsError(
        ErrorCode.INVALID_INPUT,
        "a 'postgres+s3' store kit needs servers.s3: pass createStoreKit('postgres+s3', { postgres, s3: await startS3() })",
      )
    }
    env = { ...env, ...servers.s3.env, CHARIOTS_BLOBS: `s3://chariots/${schema}` }
  }
  return {
    kind,
    env,
    open,
    snapshot: async () => {
      const { store } = await open()
      return postgresSnapshot(store as unknown as PgLike, schema)
    },
    dispose: async () => {
      const { store } = await open()
      const saver = store.saver as unknown as Partial<S3Like>
      if (saver.objects) for (const o of await saver.objects()) await store.saver!.delete(`/${o.key}`)
      await (store as unknown as PgLike).db.sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await closeAll()
    },
  }
}

interface PgLike {
  db: { sql: { unsafe(q: string): Promise<Record<string, unknown>[]> } }
  saver: unknown
}
interface S3Like {
  objects(): Promise<{ key: string; etag: string; lastModified: string }[]>
}

async function postgresSnapshot(store: PgLike, schema: string): Promise<unknown> {
  const out: Record<string, unknown> = {}
  // xmin is the transaction that wrote a row's version: a rewrite changes it even with the same values.
  for (const table of ['meta', 'nodes', 'states', 'links', 'files', 'file_parts', 'garbage']) {
    const columns = table === 'file_parts' ? 'path, part, md5(bytes) AS md5' : '*'
    out[table] = await store.db.sql.unsafe(
      `SELECT xmin::text AS xmin, ${columns} FROM "${schema}"."${table}" ORDER BY xmin::text::bigint`,
    )
  }
  const saver = store.saver as Partial<S3Like>
  if (saver.objects) out.objects = await saver.objects()
  return JSON.parse(JSON.stringify(out))
}

async function folderSnapshot(root: string): Promise<Record<string, { sha: string; mtimeMs: number }>> {
  const out: Record<string, { sha: string; mtimeMs: number }> = {}
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const file = join(entry.parentPath, entry.name)
    out[file.slice(root.length + 1)] = {
      sha: createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
      mtimeMs: (await stat(file)).mtimeMs,
    }
  }
  return out
}
