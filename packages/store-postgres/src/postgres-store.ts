import { createHash } from 'node:crypto'
import {
  applyRetention,
  type BaseSaver,
  ChariotsError,
  DEFAULT_KEEP,
  ErrorCode,
  LazyValue,
  type NewState,
  PromiseMutex,
  type PruneOptions,
  type PruneReport,
  pruneReport,
  readStateBytes,
  retentionOption,
  type StateRecord,
  type StateStore,
} from '@chariots/core'
import type { TransactionSql } from 'postgres'
import { PostgresConnection, type PostgresConnectionOptions } from './postgres-connection.js'
import { PostgresSaver } from './postgres-saver.js'

/** Options of a {@link PostgresStore}. */
export interface PostgresStoreOptions extends PostgresConnectionOptions {
  /**
   * Where the bytes of states (and data nodes' files) go: default a {@link PostgresSaver} on the
   * same database; an `S3Saver` (@chariots/saver-s3) puts them in a bucket.
   */
  saver?: BaseSaver
  /**
   * States kept per node after each save (newest first; states a kept state's lineage names are
   * always kept). Default 10; `false` keeps every state.
   */
  retention?: number | false
}

/** How many of a node's newest states `recentStates` answers. */
const RECENT = 16

type Tx = TransactionSql<Record<string, never>>

/**
 * The store on PostgreSQL: `nodes`, `states` (one row per saved state, keyed by node and save
 * order) and `links` (each state's lineage: the upstream versions it was trained on). A save is
 * one transaction that takes the next save-order number from the one-row `meta` table; that row
 * lock is the store's lock, so numbers follow commit order whichever process saves, and a process
 * that dies mid-save holds nothing (PostgreSQL rolls its transaction back). No read-merge-write:
 * each state is an insert under unique keys.
 *
 * Bytes are written before the transaction, content-addressed at `/models/<node>/<sha256>`
 * through the saver (PostgreSQL itself by default, or S3), so concurrent saves of the same bytes
 * never clash and a save that dies leaves unreferenced bytes, never a state without its bytes.
 * Retention drops old states in the save's transaction and deletes their bytes afterwards, under
 * the same lock. Like the folder store, a store object reads at the save-order number it last
 * reloaded at (on first use when never reloaded), so one load sees one consistent set.
 *
 * @example
 * ```ts
 * const store = new PostgresStore(process.env.CHARIOTS_STORE!)
 * const app = new Chariots(pipelines, { store })
 * ```
 */
export class PostgresStore implements StateStore {
  readonly db: PostgresConnection
  readonly saver: BaseSaver
  readonly location: string
  private readonly keep: number | false
  private readonly ownSaver: boolean
  private closed = false
  /** Serializes this process's commits, so waiting ones never hold every pooled connection. */
  private readonly commits = new PromiseMutex()
  /** The save-order number this object reads at, read on first use. */
  private readonly horizon = new LazyValue(() => this.lastSeq())

  constructor(db: PostgresConnection | string, options: PostgresStoreOptions = {}) {
    this.db = (typeof db === 'string' ? new PostgresConnection(db, options) : db).retain()
    this.ownSaver = options.saver === undefined
    this.saver = options.saver ?? new PostgresSaver(this.db)
    this.location =
      this.saver instanceof PostgresSaver
        ? this.db.location
        : `${this.db.location}, bytes in ${this.saver.location}`
    this.keep = retentionOption('PostgresStore', options.retention)
  }

  async reload(): Promise<void> {
    this.horizon.set(await this.lastSeq())
  }

  async listStates(node: string): Promise<readonly StateRecord[]> {
    const horizon = await this.horizon.get()
    return this.records(
      `could not list the states of '${node}'`,
      `WHERE n.name = $1 AND s.seq <= $2 ORDER BY s.seq`,
      [node, horizon],
    )
  }

  async recentStates(node: string): Promise<{ states: readonly StateRecord[]; complete: boolean }> {
    const horizon = await this.horizon.get()
    const newest = await this.records(
      `could not list the states of '${node}'`,
      `WHERE n.name = $1 AND s.seq <= $2 ORDER BY s.seq DESC LIMIT ${RECENT + 1}`,
      [node, horizon],
    )
    return { states: newest.slice(0, RECENT).reverse(), complete: newest.length <= RECENT }
  }

  async listNodes(): Promise<readonly string[]> {
    const horizon = await this.horizon.get()
    const rows = await this.db.run('could not list the nodes', (sql) =>
      sql.unsafe(
        `SELECT n.name FROM ${this.t('nodes')} n
         WHERE EXISTS (SELECT 1 FROM ${this.t('states')} s WHERE s.node_id = n.id AND s.seq <= $1) ORDER BY n.id`,
        [horizon],
      ),
    )
    return rows.map((r) => r.name as string)
  }

  readState(record: StateRecord): Promise<Uint8Array> {
    return readStateBytes(this.saver, record, this.location)
  }

  async saveStates(states: readonly NewState[]): Promise<StateRecord[]> {
    if (states.length === 0) return []
    if (new Set(states.map((s) => s.node)).size !== states.length) {
      throw new ChariotsError(ErrorCode.INVALID_INPUT, 'a save holds at most one state per node')
    }
    const purgesBefore = await this.purges()
    // Bytes first, outside the lock, one after the other (upstream first).
    const blobs: string[] = []
    for (const state of states) {
      const path = `/models/${state.node}/${createHash('sha256').update(state.bytes).digest('hex')}`
      if (!(await this.saver.exists(path))) await this.saver.save(state.bytes, path)
      blobs.push(path)
    }
    const names = states.map((s) => `'${s.node}'`).join(', ')
    return this.commits.run('commit', async () => {
      const { records, garbage } = await this.db.run(`could not save the states of ${names}`, (sql) =>
        sql.begin(async (tx) => {
          const [meta] = await tx.unsafe(
            `UPDATE ${this.t('meta')} SET last_seq = last_seq + 1 RETURNING last_seq::float8 AS seq, purges::float8 AS purges`,
          )
          const seq = meta!.seq as number
          // Old bytes were deleted since ours were written: one of them may have been ours.
          if (meta!.purges !== purgesBefore) {
            for (let i = 0; i < states.length; i++) {
              if (!(await this.saver.exists(blobs[i]!))) await this.saver.save(states[i]!.bytes, blobs[i]!)
            }
          }
          const savedAt = new Date()
          const records: StateRecord[] = []
          for (let i = 0; i < states.length; i++) {
            records.push(await this.insert(tx, states[i]!, seq, blobs[i]!, savedAt))
          }
          const garbage = this.keep === false ? false : await this.retain(tx, this.keep)
          return { records, garbage }
        }),
      )
      // Every save-order number up to ours is committed: a consistent view.
      this.horizon.set(records[0]!.seq)
      if (garbage) await this.collect().catch(() => undefined)
      return records
    })
  }

  async prune(options: PruneOptions = {}): Promise<PruneReport> {
    const keep = options.keep ?? (this.keep === false ? DEFAULT_KEEP : this.keep)
    const before = await this.counts()
    await this.commits.run('commit', async () => {
      await this.db.run('could not prune the store', (sql) =>
        sql.begin(async (tx) => {
          await tx.unsafe(`SELECT 1 FROM ${this.t('meta')} FOR UPDATE`)
          await this.retain(tx, keep)
        }),
      )
      await this.collect()
    })
    return pruneReport(before, await this.counts())
  }

  /** Releases the connection pool (closed once its last user, store, saver or announcer, is done). */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.ownSaver) await (this.saver as PostgresSaver).close()
    await this.db.release()
  }

  private t(name: string): string {
    return this.db.table(name)
  }

  private async lastSeq(): Promise<number> {
    const [row] = await this.db.run('could not read the store', (sql) =>
      sql.unsafe(`SELECT last_seq::float8 AS seq FROM ${this.t('meta')}`),
    )
    return row!.seq as number
  }

  private async purges(): Promise<number> {
    const [row] = await this.db.run('could not read the store', (sql) =>
      sql.unsafe(`SELECT purges::float8 AS purges FROM ${this.t('meta')}`),
    )
    return row!.purges as number
  }

  private async records(what: string, where: string, params: (string | number)[]): Promise<StateRecord[]> {
    const rows = await this.db.run(what, (sql) =>
      sql.unsafe(
        `SELECT n.name AS node, s.seq::float8 AS seq, s.version, s.code_version, s.blob,
           s.size::float8 AS size, s.saved_at, s.saved_by, s.pipeline,
           coalesce((SELECT jsonb_object_agg(l.upstream, l.version) FROM ${this.t('links')} l
                     WHERE l.node_id = s.node_id AND l.seq = s.seq), '{}'::jsonb) AS lineage
         FROM ${this.t('states')} s JOIN ${this.t('nodes')} n ON n.id = s.node_id ${where}`,
        params,
      ),
    )
    return rows.map((r) => ({
      node: r.node as string,
      seq: r.seq as number,
      version: r.version as string,
      codeVersion: (r.code_version as string | null) ?? null,
      lineage: r.lineage as Record<string, string>,
      blob: r.blob as string,
      size: (r.size as number | null) ?? null,
      savedAt: (r.saved_at as Date).toISOString(),
      savedBy: (r.saved_by as string | null) ?? null,
      pipeline: (r.pipeline as string | null) ?? null,
    }))
  }

  private async insert(tx: Tx, s: NewState, seq: number, blob: string, savedAt: Date): Promise<StateRecord> {
    // Under the meta row lock no other saver inserts nodes: look up, then insert if missing.
    const found = await tx.unsafe(`SELECT id FROM ${this.t('nodes')} WHERE name = $1`, [s.node])
    const nodeId = (found[0]?.id ??
      (await tx.unsafe(`INSERT INTO ${this.t('nodes')} (name) VALUES ($1) RETURNING id`, [s.node]))[0]!
        .id) as number
    await tx.unsafe(
      `INSERT INTO ${this.t('states')} (node_id, seq, version, code_version, blob, size, saved_at, saved_by, pipeline)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        nodeId,
        seq,
        s.version,
        s.codeVersion,
        blob,
        s.bytes.byteLength,
        savedAt,
        s.savedBy ?? null,
        s.pipeline ?? null,
      ],
    )
    const lineage = Object.entries(s.lineage)
    if (lineage.length > 0) {
      const values = lineage.map((_, i) => `($1, $2, $${3 + 2 * i}, $${4 + 2 * i})`).join(', ')
      await tx.unsafe(`INSERT INTO ${this.t('links')} (node_id, seq, upstream, version) VALUES ${values}`, [
        nodeId,
        seq,
        ...lineage.flat(),
      ])
    }
    return {
      node: s.node,
      seq,
      version: s.version,
      codeVersion: s.codeVersion,
      lineage: { ...s.lineage },
      blob,
      size: s.bytes.byteLength,
      savedAt: savedAt.toISOString(),
      savedBy: s.savedBy ?? null,
      pipeline: s.pipeline ?? null,
    }
  }

  /**
   * Drops the states retention does not keep (in the caller's transaction, which holds the lock)
   * and records their bytes as garbage when no kept state uses them. Answers whether it did.
   */
  private async retain(tx: Tx, keep: number): Promise<boolean> {
    const over = await tx.unsafe(
      `SELECT 1 FROM ${this.t('states')} GROUP BY node_id HAVING count(*) > $1 LIMIT 1`,
      [keep],
    )
    if (over.length === 0) return false
    const rows = await tx.unsafe(
      `SELECT s.node_id, n.name AS node, s.seq::float8 AS seq, s.version, s.blob,
         coalesce((SELECT jsonb_object_agg(l.upstream, l.version) FROM ${this.t('links')} l
                   WHERE l.node_id = s.node_id AND l.seq = s.seq), '{}'::jsonb) AS lineage
       FROM ${this.t('states')} s JOIN ${this.t('nodes')} n ON n.id = s.node_id`,
    )
    const records = rows.map(
      (r) => ({ ...r, nodeId: r.node_id }) as unknown as StateRecord & { nodeId: number },
    )
    const { dropped } = applyRetention(records, keep)
    if (dropped.length === 0) return false
    for (let at = 0; at < dropped.length; at += 500) {
      const chunk = dropped.slice(at, at + 500) as (StateRecord & { nodeId: number })[]
      const pairs = chunk.map((_, i) => `($${2 * i + 1}::int, $${2 * i + 2}::bigint)`).join(', ')
      await tx.unsafe(
        `DELETE FROM ${this.t('states')} WHERE (node_id, seq) IN (${pairs})`,
        chunk.flatMap((r) => [r.nodeId, r.seq]),
      )
      const blobs = [...new Set(chunk.map((r) => r.blob))]
      const list = blobs.map((_, i) => `($${i + 1})`).join(', ')
      await tx.unsafe(
        `INSERT INTO ${this.t('garbage')} (blob) SELECT v.b FROM (VALUES ${list}) AS v(b)
         WHERE NOT EXISTS (SELECT 1 FROM ${this.t('states')} s WHERE s.blob = v.b) ON CONFLICT DO NOTHING`,
        blobs,
      )
    }
    return true
  }

  /**
   * Deletes the bytes recorded as garbage that no state uses, under the store's lock, and bumps
   * the purge counter first: a save whose bytes were written before this sees the counter moved
   * and checks (and rewrites) its bytes under the lock.
   */
  private async collect(): Promise<void> {
    await this.db.run('could not delete the bytes of pruned states', (sql) =>
      sql.begin(async (tx) => {
        await tx.unsafe(`UPDATE ${this.t('meta')} SET purges = purges + 1`)
        const rows = await tx.unsafe(
          `SELECT g.blob FROM ${this.t('garbage')} g
           WHERE NOT EXISTS (SELECT 1 FROM ${this.t('states')} s WHERE s.blob = g.blob)`,
        )
        for (const r of rows) await this.saver.delete(r.blob as string)
        await tx.unsafe(`DELETE FROM ${this.t('garbage')}`)
      }),
    )
  }

  private async counts(): Promise<Map<string, number>> {
    const rows = await this.db.run('could not count the states', (sql) =>
      sql.unsafe(
        `SELECT n.name, count(*)::int AS n FROM ${this.t('states')} s
         JOIN ${this.t('nodes')} n ON n.id = s.node_id GROUP BY n.name`,
      ),
    )
    return new Map(rows.map((r) => [r.name as string, r.n as number]))
  }
}
