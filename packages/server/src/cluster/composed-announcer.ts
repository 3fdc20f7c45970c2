import type { Announcement, AnnounceOptions, Announcer, ReplicaOutcome } from '@chariots/core'

/** How many announcement ids a {@link ComposedAnnouncer} remembers to handle each one once. */
const REMEMBERED = 1_000

/**
 * Two announcers as one: the processes of one `chariots serve --workers N` (a
 * {@link ClusterAnnouncer} over IPC) and the app's own announcer to the other hosts
 * (`RedisAnnouncer`, `PostgresAnnouncer`). An announcement goes out on both; an incoming one is
 * handled once even when it arrives on both (a process of this host also listens on Redis), and
 * both get the same outcome. The answers are merged by replica: a replica that answered on either
 * transport is not reported as `timeout` by the other.
 *
 * Both must name this process the same way (`replica`): the cross-host announcer skips its own
 * messages by that name.
 *
 * @example
 * ```ts
 * const redis = new RedisAnnouncer(url)
 * const announcer = new ComposedAnnouncer(new ClusterAnnouncer(undefined, redis.replica), redis)
 * ```
 */
export class ComposedAnnouncer implements Announcer {
  readonly replica: string
  /** The processes of this host first, then the other hosts. */
  readonly parts: readonly [Announcer, Announcer]
  readonly #handled = new Map<string, Promise<ReplicaOutcome>>()

  constructor(local: Announcer, crossHost: Announcer) {
    this.parts = [local, crossHost]
    this.replica = crossHost.replica
  }

  async announce(message: Announcement, options: AnnounceOptions = {}): Promise<ReplicaOutcome[]> {
    const [local, crossHost] = (await Promise.allSettled(
      this.parts.map((p) => p.announce(message, options)),
    )) as [PromiseSettledResult<ReplicaOutcome[]>, PromiseSettledResult<ReplicaOutcome[]>]
    // The processes of this host answer over IPC; a cross-host transport that is down is one
    // outcome, not a failed announcement (the local processes are in step).
    if (local.status === 'rejected' && crossHost.status === 'rejected') throw crossHost.reason
    const byReplica = new Map<string, ReplicaOutcome>()
    for (const [i, settled] of [local, crossHost].entries()) {
      if (settled.status === 'rejected') {
        const err = settled.reason as { code?: unknown; message?: string }
        const replica = `(the replicas reached through ${this.parts[i]!.constructor.name})`
        const code = String(err.code ?? 'INTERNAL')
        byReplica.set(replica, {
          replica,
          status: 'timeout',
          error: { code, message: `not announced: ${err.message}` },
        })
        continue
      }
      for (const outcome of settled.value) {
        const known = byReplica.get(outcome.replica)
        if (!known || (known.status === 'timeout' && outcome.status !== 'timeout'))
          byReplica.set(outcome.replica, outcome)
      }
    }
    return [...byReplica.values()].sort((a, b) => a.replica.localeCompare(b.replica))
  }

  async subscribe(handler: (message: Announcement) => Promise<ReplicaOutcome>): Promise<void> {
    const once = (message: Announcement) => {
      let outcome = this.#handled.get(message.id)
      if (!outcome) {
        outcome = handler(message)
        this.#handled.set(message.id, outcome)
        if (this.#handled.size > REMEMBERED) this.#handled.delete(this.#handled.keys().next().value!)
      }
      return outcome
    }
    // The local one first: it cannot fail, and a retry (the cross-host transport is down) only
    // sets its handler again.
    await this.parts[0].subscribe(once)
    await this.parts[1].subscribe(once)
  }

  async close(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.close()))
  }
}
