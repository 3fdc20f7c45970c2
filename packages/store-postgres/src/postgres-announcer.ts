import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { Announcement, AnnounceOptions, Announcer, ReplicaOutcome } from '@chariots/core'
import { PostgresConnection, type PostgresConnectionOptions } from './postgres-connection.js'

/** Options of a {@link PostgresAnnouncer}. */
export interface PostgresAnnouncerOptions extends PostgresConnectionOptions {
  /** This process's name among the replicas (default `<host>:<pid>:<random>`). */
  replica?: string
  /** How often a subscribed replica says it is alive (default 2 s); silent for 3 beats, it is not waited for. */
  heartbeatMs?: number
}

interface Pending {
  expected: Set<string>
  outcomes: Map<string, ReplicaOutcome>
  done(): void
}

/**
 * The servers of an app reach each other through PostgreSQL: announcements go out with NOTIFY on
 * the channel `chariots_<schema>` (the app is everything that shares the store's schema), and
 * each replica's outcome comes back on `chariots_<schema>_replies`. Subscribed replicas write a
 * heartbeat to the `replicas` table, so an announcer knows whom to wait for. postgres.js keeps its
 * LISTEN connection and re-subscribes by itself after PostgreSQL restarts.
 *
 * @example
 * ```ts
 * const store = new PostgresStore(url)
 * const app = new Chariots(pipelines, { store, announcer: new PostgresAnnouncer(store.db) })
 * ```
 */
export class PostgresAnnouncer implements Announcer {
  readonly replica: string
  readonly db: PostgresConnection
  private readonly heartbeatMs: number
  private readonly pending = new Map<string, Pending>()
  private readonly unlisten: (() => Promise<void>)[] = []
  private replies: Promise<void> | undefined
  private beat: NodeJS.Timeout | undefined
  private closed = false
  private using = false

  constructor(db: PostgresConnection | string, options: PostgresAnnouncerOptions = {}) {
    // Counted as a user of the pool from its first subscribe or announce on (a store made beside an
    // announcer it never uses still closes the pool alone).
    this.db = typeof db === 'string' ? new PostgresConnection(db, options) : db
    this.replica = options.replica ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
    this.heartbeatMs = options.heartbeatMs ?? 2_000
  }

  private get channel(): string {
    return `chariots_${this.db.schema}`
  }

  async subscribe(handler: (message: Announcement) => Promise<ReplicaOutcome>): Promise<void> {
    this.use()
    await this.db.ready()
    const listening = await this.db.sql.listen(this.channel, (payload) => {
      const message = parse<Announcement>(payload)
      if (!message || message.from === this.replica) return
      void handler(message)
        .then((outcome) =>
          this.db.sql.notify(`${this.channel}_replies`, JSON.stringify({ to: message.id, outcome })),
        )
        .catch(() => undefined) // the announcer then reports a timeout for this replica
    })
    this.unlisten.push(() => listening.unlisten())
    await this.heartbeat()
    this.beat = setInterval(() => void this.heartbeat().catch(() => undefined), this.heartbeatMs)
    this.beat.unref()
  }

  async announce(message: Announcement, options: AnnounceOptions = {}): Promise<ReplicaOutcome[]> {
    const timeoutMs = options.timeoutMs ?? 10_000
    this.use()
    if (timeoutMs <= 0) {
      await this.db.run('could not announce', (sql) => sql.notify(this.channel, JSON.stringify(message)))
      return []
    }
    await this.listenForReplies()
    const rows = await this.db.run('could not list the replicas', (sql) =>
      sql.unsafe(
        `SELECT id FROM ${this.db.table('replicas')} WHERE id <> $1 AND seen_at > now() - make_interval(secs => $2)`,
        [this.replica, (3 * this.heartbeatMs) / 1000],
      ),
    )
    const expected = new Set(rows.map((r) => r.id as string))
    const outcomes = new Map<string, ReplicaOutcome>()
    let done = () => {}
    const finished = new Promise<void>((resolve) => {
      done = resolve
    })
    this.pending.set(message.id, { expected, outcomes, done })
    const timer = setTimeout(done, timeoutMs)
    try {
      await this.db.run('could not announce', (sql) => sql.notify(this.channel, JSON.stringify(message)))
      if (expected.size > 0) await finished
    } finally {
      clearTimeout(timer)
      this.pending.delete(message.id)
    }
    for (const id of expected) {
      if (!outcomes.has(id)) outcomes.set(id, { replica: id, status: 'timeout' })
    }
    return [...outcomes.values()].sort((a, b) => a.replica.localeCompare(b.replica))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.beat) clearInterval(this.beat)
    if (!this.using) return
    for (const stop of this.unlisten.splice(0)) await stop().catch(() => undefined)
    await this.db
      .run('could not leave the replicas', (sql) =>
        sql.unsafe(`DELETE FROM ${this.db.table('replicas')} WHERE id = $1`, [this.replica]),
      )
      .catch(() => undefined)
    await this.db.release()
  }

  private use(): void {
    if (this.using || this.closed) return
    this.using = true
    this.db.retain()
  }

  private listenForReplies(): Promise<void> {
    this.replies ??= this.db
      .run('could not listen for replies', (sql) =>
        sql.listen(`${this.channel}_replies`, (payload) => {
          const reply = parse<{ to: string; outcome: ReplicaOutcome }>(payload)
          const pending = reply && this.pending.get(reply.to)
          if (!pending || !reply) return
          pending.outcomes.set(reply.outcome.replica, reply.outcome)
          if ([...pending.expected].every((id) => pending.outcomes.has(id))) pending.done()
        }),
      )
      .then(
        (listening) => {
          this.unlisten.push(() => listening.unlisten())
        },
        (err) => {
          this.replies = undefined
          throw err
        },
      )
    return this.replies
  }

  private async heartbeat(): Promise<void> {
    await this.db.run('could not write the heartbeat', (sql) =>
      sql.unsafe(
        `INSERT INTO ${this.db.table('replicas')} (id, seen_at) VALUES ($1, now())
         ON CONFLICT (id) DO UPDATE SET seen_at = now()`,
        [this.replica],
      ),
    )
  }
}

function parse<T>(payload: string): T | undefined {
  try {
    return JSON.parse(payload) as T
  } catch {
    return undefined
  }
}
