import { hostname } from 'node:os'
import { isMainThread } from 'node:worker_threads'
import type { Announcement, AnnounceOptions, Announcer, ReplicaOutcome } from '@chariots/core'
import { ChariotsError, ErrorCode } from '@chariots/core'
import { type FromWorker, isClusterMessage, type ToWorker } from './cluster-messages.js'

/** The IPC channel of a cluster worker to its primary (`process` in a forked worker). */
export interface ClusterChannel {
  send(message: FromWorker, callback: (err: Error | null) => void): void
  on(event: 'message', listener: (message: unknown) => void): void
  off(event: 'message', listener: (message: unknown) => void): void
}

/**
 * The processes of one `chariots serve --workers N` reach each other through the cluster's IPC:
 * an announcement goes to the primary, which delivers it to every other process that joined,
 * collects their outcomes and answers them (see {@link ClusterRelay}). Incoming announcements are
 * handled one at a time, in the order the primary sent them, so a process applies loads in the
 * order they happened.
 *
 * A process joins once its start-up load is done ({@link ClusterAnnouncer.join}): the primary then
 * sends it the last load of each pipeline (and the saves announced since), which it replays before
 * it listens. So a process that starts later (a rolling restart, a replacement for one that died)
 * serves the states the others serve, not whatever is newest in the store.
 *
 * `new Chariots` uses one by itself in a process of `chariots serve --workers N`, composed with
 * the app's own announcer to other hosts when it has one ({@link withClusterAnnouncer}).
 *
 * @example
 * ```ts
 * const host = new PipelineHost(pipelines, { path, announcer: clusterAnnouncerOfProcess() })
 * await host.ready()
 * await clusterAnnouncerIn(host.replicas?.announcer)?.join() // then listen
 * ```
 */
export class ClusterAnnouncer implements Announcer {
  readonly replica: string
  #handler: ((message: Announcement) => Promise<ReplicaOutcome>) | undefined
  #queue: Promise<void> = Promise.resolve()
  readonly #waiting = new Map<string, (outcomes: readonly ReplicaOutcome[]) => void>()
  #joining: Promise<void> | undefined
  #joined: (() => void) | undefined
  readonly #channel: ClusterChannel
  readonly #listener = (message: unknown) => this.#receive(message)

  constructor(channel: ClusterChannel = processChannel(), replica?: string) {
    this.#channel = channel
    this.replica = replica ?? `${hostname()}:${process.pid}`
    channel.on('message', this.#listener)
  }

  /** Keeps the handler; the process receives announcements once it {@link join}s. */
  async subscribe(handler: (message: Announcement) => Promise<ReplicaOutcome>): Promise<void> {
    this.#handler = handler
  }

  /**
   * Asks the primary to relay announcements here, and replays the log it answers (the last load
   * of each pipeline, and the saves since); resolves once replayed. A process that does not
   * receive announcements (its app does not load at start-up) does not join.
   */
  join(): Promise<void> {
    if (!this.#handler) return Promise.resolve()
    this.#joining ??= new Promise<void>((resolve, reject) => {
      this.#joined = resolve
      this.#send({ chariots: 'join', replica: this.replica }).catch(reject)
    })
    return this.#joining
  }

  async announce(message: Announcement, options: AnnounceOptions = {}): Promise<ReplicaOutcome[]> {
    const timeoutMs = options.timeoutMs ?? 10_000
    if (timeoutMs <= 0) {
      await this.#send({ chariots: 'announce', message, timeoutMs: 0 })
      return []
    }
    return new Promise<ReplicaOutcome[]>((resolve, reject) => {
      // The primary answers within timeoutMs (silent processes as `timeout`); this only guards
      // against a primary that is gone.
      const timer = setTimeout(() => {
        this.#waiting.delete(message.id)
        reject(
          new ChariotsError(
            ErrorCode.TIMEOUT,
            `the primary of chariots serve --workers did not answer within ${timeoutMs + 5_000} ms with the other processes' outcomes; check that it is running`,
          ),
        )
      }, timeoutMs + 5_000)
      this.#waiting.set(message.id, (outcomes) => {
        clearTimeout(timer)
        resolve([...outcomes])
      })
      this.#send({ chariots: 'announce', message, timeoutMs }).catch((err: unknown) => {
        clearTimeout(timer)
        this.#waiting.delete(message.id)
        reject(err)
      })
    })
  }

  /** Stops receiving; the primary no longer waits for this process's outcomes. */
  async close(): Promise<void> {
    this.#channel.off('message', this.#listener)
    this.#handler = undefined
    if (this.#joining) await this.#send({ chariots: 'leave' }).catch(() => undefined)
  }

  #receive(raw: unknown): void {
    if (!isClusterMessage<ToWorker>(raw)) return
    if (raw.chariots === 'outcomes') {
      const answer = this.#waiting.get(raw.to)
      this.#waiting.delete(raw.to)
      answer?.(raw.outcomes)
    } else if (raw.chariots === 'joined') {
      const { log } = raw
      this.#enqueue(async () => {
        for (const message of log) await this.#handle(message)
        this.#joined?.()
      })
    } else if (raw.chariots === 'deliver') {
      const { message } = raw
      this.#enqueue(async () => {
        const outcome = await this.#handle(message)
        if (outcome) await this.#send({ chariots: 'outcome', to: message.id, outcome })
      })
    }
  }

  async #handle(message: Announcement): Promise<ReplicaOutcome | undefined> {
    return this.#handler?.(message)
  }

  /** One announcement at a time, in the order they came: loads apply in the order they happened. */
  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task).catch(() => undefined)
  }

  #send(message: FromWorker): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#channel.send(message, (err) => {
        if (!err) return resolve()
        reject(
          new ChariotsError(
            ErrorCode.BACKEND_UNAVAILABLE,
            `the IPC channel to the primary of chariots serve --workers is closed (${err.message}); the primary stopped: restart chariots serve`,
            { cause: err },
          ),
        )
      })
    })
  }
}

/**
 * A {@link ClusterAnnouncer} named `replica` (default `<host>:<pid>`) when this process is one of
 * `chariots serve --workers N` ({@link isClusterWorkerProcess}), else undefined.
 *
 * @example
 * ```ts
 * const announcer = options.announcer ?? clusterAnnouncerOfProcess()
 * ```
 */
export function clusterAnnouncerOfProcess(replica?: string): ClusterAnnouncer | undefined {
  if (!isClusterWorkerProcess()) return undefined
  return new ClusterAnnouncer(processChannel(), replica)
}

/**
 * Whether this process is one that the primary of `chariots serve --workers N` forked (it marks
 * them with its pid in `CHARIOTS_CLUSTER_WORKER`): a cluster of someone else's, a worker thread or
 * a child process of the app is not.
 *
 * @example
 * ```ts
 * if (isClusterWorkerProcess()) process.send?.({ chariots: 'ready', ready })
 * ```
 */
export function isClusterWorkerProcess(): boolean {
  const forked = process.env.CHARIOTS_CLUSTER_WORKER === String(process.ppid)
  return forked && isMainThread && typeof process.send === 'function'
}

function processChannel(): ClusterChannel {
  return {
    send(message, callback) {
      if (!process.send) return callback(new Error('this process has no IPC channel'))
      process.send(message, undefined, {}, (err: Error | null) => callback(err ?? null))
    },
    on: (event, listener) => process.on(event, listener),
    off: (event, listener) => process.off(event, listener),
  }
}
