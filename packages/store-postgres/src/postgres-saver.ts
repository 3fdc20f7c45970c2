import { BaseSaver, ChariotsError, ErrorCode, safePath } from '@chariots/core'
import type { TransactionSql } from 'postgres'
import { PostgresConnection, type PostgresConnectionOptions } from './postgres-connection.js'

/** Bytes per row of `file_parts`: a large model is written and read a part at a time. */
const PART = 1 << 20

/**
 * A saver whose files live in PostgreSQL: one row per file in `files`, its bytes in 1 MiB parts
 * (bytea) in `file_parts`. A save replaces a file in one transaction, so readers see the old file
 * or the new one; a read is one statement, so it never mixes two versions. `withLock` takes a
 * PostgreSQL advisory lock, held by a transaction (a process that dies releases it at once).
 *
 * @example
 * ```ts
 * const saver = new PostgresSaver('postgres://localhost:5432/models')
 * await saver.save(new TextEncoder().encode('[1, 2, 3]'), '/data/numbers.json')
 * ```
 */
export class PostgresSaver extends BaseSaver {
  readonly db: PostgresConnection
  private closed = false

  constructor(db: PostgresConnection | string, options: PostgresConnectionOptions = {}) {
    super()
    this.db = (typeof db === 'string' ? new PostgresConnection(db, options) : db).retain()
  }

  override get location(): string {
    return this.db.location
  }

  async save(bytes: Uint8Array, path: string): Promise<void> {
    const key = keyOf(path)
    await this.db.run(`could not write '${key}'`, (sql) =>
      sql.begin(async (tx) => {
        await tx.unsafe(
          `INSERT INTO ${this.db.table('files')} (path, size, parts) VALUES ($1, $2, $3)
           ON CONFLICT (path) DO UPDATE SET size = EXCLUDED.size, parts = EXCLUDED.parts, saved_at = now()`,
          [key, bytes.byteLength, partCount(bytes)],
        )
        await tx.unsafe(`DELETE FROM ${this.db.table('file_parts')} WHERE path = $1`, [key])
        await this.writeParts(tx, key, bytes)
      }),
    )
  }

  override async saveExclusive(bytes: Uint8Array, path: string): Promise<boolean> {
    const key = keyOf(path)
    return this.db.run(`could not write '${key}'`, (sql) =>
      sql.begin(async (tx) => {
        const created = await tx.unsafe(
          `INSERT INTO ${this.db.table('files')} (path, size, parts) VALUES ($1, $2, $3)
           ON CONFLICT (path) DO NOTHING RETURNING path`,
          [key, bytes.byteLength, partCount(bytes)],
        )
        if (created.length === 0) return false
        await this.writeParts(tx, key, bytes)
        return true
      }),
    )
  }

  async load(path: string): Promise<Uint8Array> {
    const key = keyOf(path)
    const rows = await this.db.run(`could not read '${key}'`, (sql) =>
      sql.unsafe(
        // base64 (a third larger) rather than postgres.js's hex (twice as large) for bytea.
        `SELECT f.size::float8 AS size, encode(p.bytes, 'base64') AS b64 FROM ${this.db.table('files')} f
         JOIN ${this.db.table('file_parts')} p ON p.path = f.path WHERE f.path = $1 ORDER BY p.part`,
        [key],
      ),
    )
    if (rows.length === 0) {
      // An empty file has no parts: tell it apart from a missing one.
      if (await this.exists(key)) return new Uint8Array(0)
      throw new ChariotsError(ErrorCode.NOT_FOUND, `no file at '${key}' in ${this.location}`, {
        details: { path: key },
      })
    }
    const parts = rows.map((r) => Buffer.from(r.b64 as string, 'base64'))
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
  }

  async exists(path: string): Promise<boolean> {
    const key = keyOf(path)
    const rows = await this.db.run(`could not check '${key}'`, (sql) =>
      sql.unsafe(`SELECT 1 FROM ${this.db.table('files')} WHERE path = $1`, [key]),
    )
    return rows.length > 0
  }

  override async list(folder: string): Promise<string[]> {
    const prefix = folder.replace(/^\/+|\/+$/g, '') === '' ? '/' : `${keyOf(folder)}/`
    const rows = await this.db.run(`could not list '${prefix}'`, (sql) =>
      sql.unsafe(
        `SELECT substr(path, $2) AS name FROM ${this.db.table('files')}
         WHERE left(path, $3) = $1 AND strpos(substr(path, $2), '/') = 0 ORDER BY path`,
        [prefix, prefix.length + 1, prefix.length],
      ),
    )
    return rows.map((r) => r.name as string)
  }

  override async delete(path: string): Promise<void> {
    const key = keyOf(path)
    await this.db.run(`could not delete '${key}'`, (sql) =>
      sql.unsafe(`DELETE FROM ${this.db.table('files')} WHERE path = $1`, [key]),
    )
  }

  override async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return super.withLock(name, async () => {
      let outcome: { ok: true; value: T } | { ok: false; err: unknown } | undefined
      await this.db.run(`could not take the lock '${name}'`, (sql) =>
        sql.begin(async (tx) => {
          await tx`SELECT pg_advisory_xact_lock(hashtext(${`chariots-lock:${this.db.schema}:${name}`}))`
          // fn's own failure is not a database error: carry it out unchanged.
          outcome = await fn().then(
            (value) => ({ ok: true as const, value }),
            (err: unknown) => ({ ok: false as const, err }),
          )
        }),
      )
      if (!outcome!.ok) throw outcome!.err
      return outcome!.value
    })
  }

  /** Releases the connection pool (closed once its last user is done). */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.db.release()
  }

  private async writeParts(
    tx: TransactionSql<Record<string, never>>,
    key: string,
    bytes: Uint8Array,
  ): Promise<void> {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    for (let part = 0; part * PART < buffer.byteLength; part++) {
      await tx.unsafe(
        `INSERT INTO ${this.db.table('file_parts')} (path, part, bytes) VALUES ($1, $2, decode($3, 'base64'))`,
        [key, part, buffer.subarray(part * PART, (part + 1) * PART).toString('base64')],
      )
    }
  }
}

/** The normalized key of a saver path (`/data/x.csv`); INVALID_PATH for one that leaves the root. */
function keyOf(path: string): string {
  // Against a root of one segment, so that '..' climbing above it is refused, not clamped at '/'.
  return safePath(ROOT, path).slice(ROOT.length)
}

const ROOT = '/chariots'

function partCount(bytes: Uint8Array): number {
  return Math.ceil(bytes.byteLength / PART)
}
