import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { Announcement, AnnounceOptions, Announcer, ReplicaOutcome } from '@chariots/core'
import { ChariotsError, ErrorCode } from '@chariots/core'
import { Redis, type RedisOptions } from 'ioredis'

/** Options of a {@link RedisAnnouncer}. */
export interface RedisAnnouncerOptions {
  /** The channel of the app (every server of one app uses the same). Default `chariots:replicas`. */
  channel?: string
  /** This process's name among the replicas (default `<host>:<pid>:<random>`). */
  replica?: string
  /** How long a Redis command may take before the announce fails with BACKEND_UNAVAILABLE (default 2 s). */
  commandTimeoutMs?: number
}

interface Pending {
  expected: number
  outcomes: Map<string, ReplicaOutcome>
  done(): void
}

/**
 * The servers of an app reach each other through Redis pub/sub: an announcement is PUBLISHed on
 * the app's channel, and PUBLISH answers how many subscribers received it, so the announcer knows
 * how many outcomes to wait for; each replica answers on `<channel>:replies`. For the folder store
 * on one machine (several servers on one folder), or beside any store.
 *
 * @example
 * ```ts
 * const app = new Chariots(pipelines, { path: './data', announcer: new RedisAnnouncer(process.env.REDIS_URL!) })
 * ```
 */
export class RedisAnnouncer implements Announcer {
  readonly replica: string
  readonly channel: string
  private readonly options: RedisOptions
  private readonly where: string
  private pub: Redis | undefined
  private sub: Redis | undefined
  private subscribed = false
  private handler: ((message: Announcement) => Promise<ReplicaOutcome>) | undefined
  private readonly pending = new Map<string, Pending>()
  private replies: Promise<void> | undefined

  constructor(connection: string | RedisOptions, options: RedisAnnouncerOptions = {}) {
    const probe = typeof connection === 'string' ? new Redis(connection, { lazyConnect: true }) : undefined
    this.options = {
      ...(typeof connection === 'string' ? probe!.options : connection),
      lazyConnect: true,
      enableOfflineQueue: false,
      commandTimeout: options.commandTimeoutMs ?? 2_000,
      maxRetriesPerRequest: 1,
    }
    probe?.disconnect()
    this.where = `redis://${this.options.host ?? '127.0.0.1'}:${this.options.port ?? 6379}`
    this.channel = options.channel ?? 'chariots:replicas'
    this.replica = options.replica ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  }

  async subscribe(handler: (message: Announcement) => Promise<ReplicaOutcome>): Promise<void> {
    this.handler = handler
    const sub = await this.subscriber()
    await this.call('could not subscribe', () => sub.subscribe(this.channel))
    this.subscribed = true
  }

  async announce(message: Announcement, options: AnnounceOptions = {}): Promise<ReplicaOutcome[]> {
    const timeoutMs = options.timeoutMs ?? 10_000
    if (timeoutMs > 0) await this.listenForReplies()
    const outcomes = new Map<string, ReplicaOutcome>()
    let done = () => {}
    const finished = new Promise<void>((resolve) => {
      done = resolve
    })
    const pending: Pending = { expected: 0, outcomes, done }
    this.pending.set(message.id, pending)
    const timer = setTimeout(done, Math.max(0, timeoutMs))
    try {
      const pub = await this.publisher()
      const received = await this.call('could not announce', () =>
        pub.publish(this.channel, JSON.stringify(message)),
      )
      pending.expected = received - (this.subscribed ? 1 : 0)
      if (timeoutMs > 0 && outcomes.size < pending.expected) await finished
    } finally {
      clearTimeout(timer)
      this.pending.delete(message.id)
    }
    if (timeoutMs <= 0) return []
    const answered = [...outcomes.values()].sort((a, b) => a.replica.localeCompare(b.replica))
    const silent = Array.from({ length: Math.max(0, pending.expected - answered.length) }, (_, i) => ({
      replica: `(silent replica ${i + 1})`,
      status: 'timeout' as const,
    }))
    return [...answered, ...silent]
  }

  async close(): Promise<void> {
    for (const client of [this.sub, this.pub]) client?.disconnect()
    this.sub = undefined
    this.pub = undefined
  }

  private async publisher(): Promise<Redis> {
    if (!this.pub) {
      this.pub = new Redis({ ...this.options })
      this.pub.on('error', () => undefined) // each call reports its own failure
    }
    if (this.pub.status === 'wait') await this.call('could not connect', () => this.pub!.connect())
    return this.pub
  }

  private async subscriber(): Promise<Redis> {
    if (!this.sub) {
      // Subscriptions are restored by ioredis after a reconnection: the offline queue must stay on.
      this.sub = new Redis({ ...this.options, enableOfflineQueue: true, maxRetriesPerRequest: null })
      this.sub.on('error', () => undefined)
      this.sub.on('message', (channel, payload) => void this.onMessage(channel, payload))
    }
    if (this.sub.status === 'wait') await this.call('could not connect', () => this.sub!.connect())
    return this.sub
  }

  private listenForReplies(): Promise<void> {
    this.replies ??= this.subscriber()
      .then((sub) =>
        this.call('could not listen for replies', () => sub.subscribe(`${this.channel}:replies`)),
      )
      .then(
        () => undefined,
        (err) => {
          this.replies = undefined
          throw err
        },
      )
    return this.replies
  }

  private async onMessage(channel: string, payload: string): Promise<void> {
    let parsed: unknown
    try {
      parsed = JSON.parse(payload)
    } catch {
      return
    }
    if (channel === `${this.channel}:replies`) {
      const reply = parsed as { to: string; outcome: ReplicaOutcome }
      const pending = this.pending.get(reply.to)
      if (!pending) return
      pending.outcomes.set(reply.outcome.replica, reply.outcome)
      if (pending.expected > 0 && pending.outcomes.size >= pending.expected) pending.done()
      return
    }
    const message = parsed as Announcement
    if (message.from === this.replica || !this.handler) return
    const outcome = await this.handler(message)
    const pub = await this.publisher().catch(() => undefined)
    await pub
      ?.publish(`${this.channel}:replies`, JSON.stringify({ to: message.id, outcome }))
      .catch(() => undefined)
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (cause) {
      throw new ChariotsError(
        ErrorCode.BACKEND_UNAVAILABLE,
        `${what} on ${this.where}: Redis cannot be reached (${(cause as Error).message}); start it or fix the URL, then load again`,
        { cause, details: { backend: 'redis' } },
      )
    }
  }
}
