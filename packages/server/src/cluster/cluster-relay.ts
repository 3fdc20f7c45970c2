import type { Announcement, ReplicaOutcome } from '@chariots/core'
import { type FromWorker, isClusterMessage, type ToWorker } from './cluster-messages.js'

/** One process of the cluster, as the relay sees it. */
export interface RelayMember {
  /** The cluster's id of the process (`worker.id`). */
  readonly id: number
  /** Sends a message; a process that is gone drops it. */
  send(message: ToWorker): void
}

/** Options of a {@link ClusterRelay}. */
export interface ClusterRelayOptions {
  /** At most this many announcements are kept for processes that join later (default 1,000). */
  maxLog?: number
}

interface Pending {
  readonly from: RelayMember
  /** The processes whose outcome is awaited, by id → replica name. */
  readonly waiting: Map<number, string>
  readonly outcomes: ReplicaOutcome[]
  readonly timer: NodeJS.Timeout
}

/**
 * The primary's side of {@link ClusterAnnouncer}: it delivers each process's announcements to
 * every other process that joined, collects their outcomes (a process silent past the timeout is
 * `timeout`; one that exits is no longer waited for, as it serves nothing), and answers them to
 * the announcer. It keeps a log (the last load of each pipeline, and the saves), and a process that
 * joins gets it first, in the same tick as it starts receiving: no announcement falls between the
 * two. The relay never loads anything itself.
 *
 * @example
 * ```ts
 * const relay = new ClusterRelay()
 * cluster.on('message', (worker, message) => relay.receive(memberOf(worker), message))
 * cluster.on('exit', (worker) => relay.leave(worker.id))
 * ```
 */
export class ClusterRelay {
  readonly #members = new Map<number, { member: RelayMember; replica: string }>()
  readonly #log = new Map<string, Announcement>()
  readonly #pending = new Map<string, Pending>()
  readonly #maxLog: number

  constructor(options: ClusterRelayOptions = {}) {
    this.#maxLog = options.maxLog ?? 1_000
  }

  /** The replica names of the processes that receive announcements. */
  get replicas(): string[] {
    return [...this.#members.values()].map((m) => m.replica)
  }

  /** What a process joining now replays, oldest first. */
  get log(): Announcement[] {
    return [...this.#log.values()]
  }

  /** Handles one IPC message of a process (messages that are not the relay's are ignored). */
  receive(member: RelayMember, raw: unknown): void {
    if (!isClusterMessage<FromWorker>(raw)) return
    if (raw.chariots === 'join') {
      member.send({ chariots: 'joined', log: this.log })
      this.#members.set(member.id, { member, replica: raw.replica })
    } else if (raw.chariots === 'announce') {
      this.#announce(member, raw.message, raw.timeoutMs)
    } else if (raw.chariots === 'outcome') {
      const pending = this.#pending.get(raw.to)
      if (!pending?.waiting.delete(member.id)) return
      pending.outcomes.push(raw.outcome)
      this.#finishIfAnswered(raw.to)
    } else if (raw.chariots === 'leave') {
      this.leave(member.id)
    }
  }

  /** A process that left or exited: it receives nothing more, and no outcome is awaited from it. */
  leave(id: number): void {
    this.#members.delete(id)
    for (const [messageId, pending] of this.#pending) {
      if (pending.from.id === id) {
        clearTimeout(pending.timer)
        this.#pending.delete(messageId)
      } else if (pending.waiting.delete(id)) {
        this.#finishIfAnswered(messageId)
      }
    }
  }

  /** Stops waiting for outcomes (the primary is stopping). */
  close(): void {
    for (const pending of this.#pending.values()) clearTimeout(pending.timer)
    this.#pending.clear()
    this.#members.clear()
  }

  #announce(from: RelayMember, message: Announcement, timeoutMs: number): void {
    this.#record(message)
    const targets = [...this.#members.values()].filter((m) => m.member.id !== from.id)
    for (const { member } of targets) member.send({ chariots: 'deliver', message })
    if (!(timeoutMs > 0)) return
    const pending: Pending = {
      from,
      waiting: new Map(targets.map((m) => [m.member.id, m.replica])),
      outcomes: [],
      timer: setTimeout(() => this.#finish(message.id), timeoutMs),
    }
    this.#pending.set(message.id, pending)
    this.#finishIfAnswered(message.id)
  }

  #finishIfAnswered(messageId: string): void {
    if (this.#pending.get(messageId)?.waiting.size === 0) this.#finish(messageId)
  }

  /** Answers the announcer: the outcomes received, and `timeout` for each process still silent. */
  #finish(messageId: string): void {
    const pending = this.#pending.get(messageId)
    if (!pending) return
    clearTimeout(pending.timer)
    this.#pending.delete(messageId)
    const silent = [...pending.waiting.values()].map((replica) => ({ replica, status: 'timeout' as const }))
    const outcomes = [...pending.outcomes, ...silent].sort((a, b) => a.replica.localeCompare(b.replica))
    pending.from.send({ chariots: 'outcomes', to: messageId, outcomes })
  }

  /**
   * Keeps the last load of each pipeline, and each distinct save (the same pipeline saving the
   * same nodes again replaces the older one), in the order they happened.
   */
  #record(message: Announcement): void {
    const key =
      message.type === 'load'
        ? `load ${message.pipeline}`
        : `saved ${message.pipeline} ${Object.keys(message.saved).sort().join(',')}`
    this.#log.delete(key)
    this.#log.set(key, message)
    while (this.#log.size > this.#maxLog) this.#log.delete(this.#log.keys().next().value!)
  }
}
