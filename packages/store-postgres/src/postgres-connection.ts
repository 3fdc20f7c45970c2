import { ChariotsError, ErrorCode } from '@chariots/core'
import postgres, { type Sql } from 'postgres'
import { migrate } from './migrations.js'
import { postgresError } from './postgres-error.js'

/** Options of a {@link PostgresConnection}. */
export interface PostgresConnectionOptions {
  /** The schema holding Chariots' tables (created by the migrations). Default `chariots`. */
  schema?: string
  /** Connections in the pool. Default 5. */
  maxConnections?: number
  /** How long opening a connection may take before the call fails with BACKEND_UNAVAILABLE. Default 3 s. */
  connectTimeoutMs?: number
}

const SCHEMA = /^[a-z_][a-z0-9_]{0,47}$/

/**
 * A pool of connections to one PostgreSQL database and the schema Chariots keeps its tables in,
 * shared by {@link PostgresStore}, {@link PostgresSaver} and {@link PostgresAnnouncer}. Nothing
 * connects until the first query; the first query applies the migrations (once per schema, under
 * an advisory lock, so several processes starting together are safe). A database that cannot be
 * reached fails each call quickly with `BACKEND_UNAVAILABLE`; the pool reconnects by itself once
 * it is back. Each store, saver and announcer on it counts as a user; closing the last one closes
 * the pool.
 *
 * @example
 * ```ts
 * const db = new PostgresConnection('postgres://chariots@db.internal:5432/models')
 * const store = new PostgresStore(db)
 * ```
 */
export class PostgresConnection {
  /** The postgres.js client (a pool). */
  readonly sql: Sql
  readonly schema: string
  /** The database URL without its password, and the schema. */
  readonly location: string
  private migrated: Promise<void> | undefined
  private users = 0

  constructor(url: string, options: PostgresConnectionOptions = {}) {
    this.schema = options.schema ?? 'chariots'
    if (!SCHEMA.test(this.schema)) {
      throw new ChariotsError(
        ErrorCode.INVALID_INPUT,
        `the PostgreSQL schema '${this.schema}' is not allowed: use lower-case letters, digits and '_' (at most 48, not starting with a digit)`,
      )
    }
    this.location = `${redact(url)} (schema ${this.schema})`
    this.sql = postgres(url, {
      max: options.maxConnections ?? 5,
      connect_timeout: (options.connectTimeoutMs ?? 3_000) / 1000,
      idle_timeout: 60,
      onnotice: () => undefined,
    })
  }

  /** The schema-qualified, quoted name of a table. */
  table(name: string): string {
    return `"${this.schema}"."${name}"`
  }

  /** Applies the migrations once (every call of this object waits for it). */
  ready(): Promise<void> {
    this.migrated ??= migrate(this.sql, this.schema).catch((err) => {
      this.migrated = undefined
      throw postgresError(err, `could not prepare the tables in ${this.location}`)
    })
    return this.migrated
  }

  /** Runs `fn` once the tables are there; database failures become ChariotsErrors naming `what`. */
  async run<T>(what: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    await this.ready()
    try {
      return await fn(this.sql)
    } catch (err) {
      throw postgresError(err, `${what} in ${this.location}`)
    }
  }

  /** Counts a user (a store, a saver, an announcer): {@link release} by the last one closes the pool. */
  retain(): this {
    this.users++
    return this
  }

  /** A user is done: the last one closes the pool. */
  async release(): Promise<void> {
    this.users = Math.max(0, this.users - 1)
    if (this.users === 0) await this.close()
  }

  /** Closes every connection (waits up to 5 s for running queries). */
  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 })
  }
}

/** The URL without its password (for logs and errors). */
export function redact(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'postgres://(an unparsable URL)'
  }
}
