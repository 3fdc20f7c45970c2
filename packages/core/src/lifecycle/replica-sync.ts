import { randomUUID } from 'node:crypto'
import { type ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import type { Pipeline } from '../pipeline/pipeline.js'
import type { Announcement, Announcer, ReplicaOutcome } from './announcer.js'
import type { HostLogger, LoadResult } from './pipeline-host.js'

/** What {@link ReplicaSync} needs of its host. */
export interface SyncedHost {
  readonly pipelines: ReadonlyMap<string, Pipeline>
  logger: HostLogger | undefined
  load(
    name: string,
    options: { pin?: Readonly<Record<string, number>>; announce?: boolean },
  ): Promise<LoadResult>
  /** Takes a pipeline out of service with the reason (it must not answer from another generation). */
  withdraw(name: string, code: string, message: string): void
}

/** Options of a {@link ReplicaSync}. */
export interface ReplicaSyncOptions {
  /** Reload the pipelines that use states a training job saved, when another replica says so. */
  autoReload?: boolean
  /** How long a `/load` waits for every replica (default 10 s). */
  timeoutMs?: number
}

/**
 * Keeps the servers of an app in step through an {@link Announcer}: a load here is announced with
 * the exact states it loaded, and every replica loads those same states atomically (by the
 * lifecycle's rule) and answers. A replica that cannot load them takes the pipeline out of
 * service rather than keep answering from the previous generation. With `autoReload`, a saved
 * training is announced too, and each replica reloads the pipelines that use what was saved.
 *
 * @example
 * ```ts
 * const sync = new ReplicaSync(host, announcer, { autoReload: true })
 * await sync.start()
 * ```
 */
export class ReplicaSync {
  private started: Promise<void> | undefined
  private closed = false

  constructor(
    private readonly host: SyncedHost,
    readonly announcer: Announcer,
    private readonly options: ReplicaSyncOptions = {},
  ) {}

  /**
   * Subscribes; resolves after the first attempt, whether it succeeded or not (a server must start
   * and serve while the transport is down), and keeps retrying every 2 s in the background.
   */
  start(): Promise<void> {
    if (!this.started) {
      let first = () => {}
      this.started = new Promise<void>((resolve) => {
        first = resolve
      })
      void this.subscribe(first)
    }
    return this.started
  }

  /** Tells every replica to load the states `result` holds; answers each one's outcome. */
  async announceLoad(result: LoadResult): Promise<ReplicaOutcome[]> {
    const pin: Record<string, number> = {}
    for (const [node, { seq }] of Object.entries(result.states)) pin[node] = seq
    const message: Announcement = {
      type: 'load',
      id: randomUUID(),
      from: this.announcer.replica,
      pipeline: result.pipeline,
      pin,
    }
    return this.announcer.announce(message, { timeoutMs: this.options.timeoutMs ?? 10_000 })
  }

  /** Tells every replica a training saved states (they reload when they opted in to auto-reload). */
  async announceSaved(pipeline: string, saved: Readonly<Record<string, { seq: number }>>): Promise<void> {
    const seqs: Record<string, number> = {}
    for (const [node, { seq }] of Object.entries(saved)) seqs[node] = seq
    const message: Announcement = {
      type: 'saved',
      id: randomUUID(),
      from: this.announcer.replica,
      pipeline,
      saved: seqs,
    }
    await this.announcer.announce(message, { timeoutMs: 0 })
  }

  async close(): Promise<void> {
    this.closed = true
    await this.announcer.close()
  }

  private async subscribe(attempted: () => void): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        await this.announcer.subscribe((message) => this.handle(message))
        attempted()
        return
      } catch (err) {
        attempted()
        if (attempt === 0) {
          this.host.logger?.warn(
            { err },
            'replicas: could not subscribe to announcements; retrying every 2 s',
          )
        }
        await new Promise((r) => setTimeout(r, 2_000).unref())
      }
    }
    attempted()
  }

  private async handle(message: Announcement): Promise<ReplicaOutcome> {
    const replica = this.announcer.replica
    if (message.type === 'saved') {
      if (this.options.autoReload) await this.reloadUsers(message)
      return { replica, status: 'loaded' }
    }
    if (!this.host.pipelines.has(message.pipeline)) {
      return this.refuse(
        message,
        ErrorCode.PIPELINE_NOT_FOUND,
        `pipeline '${message.pipeline}' is not served here`,
      )
    }
    try {
      const result = await this.host.load(message.pipeline, { pin: message.pin, announce: false })
      if (!result.loaded)
        return this.refuse(message, ErrorCode.PIPELINE_NOT_LOADED, result.reason ?? 'not loaded')
      return { replica, status: 'loaded', states: result.states }
    } catch (err) {
      const e = err as ChariotsError
      return this.refuse(message, typeof e.code === 'string' ? e.code : ErrorCode.INTERNAL, e.message)
    }
  }

  private refuse(
    message: Extract<Announcement, { type: 'load' }>,
    code: string,
    why: string,
  ): ReplicaOutcome {
    const text = `replica '${this.announcer.replica}' could not load the states of '${message.pipeline}' that replica '${message.from}' loaded (${why}); it stopped serving '${message.pipeline}' so that no answer comes from another generation: fix the cause, then load it again`
    if (this.host.pipelines.has(message.pipeline)) this.host.withdraw(message.pipeline, code, text)
    this.host.logger?.warn({ pipeline: message.pipeline, code, from: message.from }, text)
    return { replica: this.announcer.replica, status: 'refused', error: { code, message: text } }
  }

  /** Reloads, by the rule, every pipeline that loads one of the nodes a training saved. */
  private async reloadUsers(message: Extract<Announcement, { type: 'saved' }>): Promise<void> {
    const saved = new Set(Object.keys(message.saved))
    for (const [name, pipeline] of this.host.pipelines) {
      if (name === message.pipeline) continue
      const uses = pipeline.allNodes().some((n) => n.loadableOp !== undefined && saved.has(n.name))
      if (!uses) continue
      await this.host.load(name, { announce: false }).catch((err: unknown) => {
        this.host.logger?.warn({ pipeline: name, err }, `auto-reload of '${name}' refused`)
      })
    }
  }
}
