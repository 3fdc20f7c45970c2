/**
 * What one server of an app tells all the others: `load` (a `/load` happened: load exactly these
 * states) or `saved` (a training job saved states: reload what uses them, when the app opted in).
 */
export type Announcement =
  | {
      readonly type: 'load'
      readonly id: string
      /** The replica that announces. */
      readonly from: string
      readonly pipeline: string
      /** Node → save-order number of the states the announcer loaded. */
      readonly pin: Readonly<Record<string, number>>
    }
  | {
      readonly type: 'saved'
      readonly id: string
      readonly from: string
      readonly pipeline: string
      /** Node → save-order number of the states saved. */
      readonly saved: Readonly<Record<string, number>>
    }

/** What one replica answered to an announcement. */
export interface ReplicaOutcome {
  readonly replica: string
  /**
   * `loaded`: it serves the announced states; `refused`: its load failed, and it stopped serving
   * the pipeline rather than answer from another generation; `timeout`: no answer in time.
   */
  readonly status: 'loaded' | 'refused' | 'timeout'
  /** The states it holds after the load, by node. */
  readonly states?: Readonly<Record<string, { seq: number; version: string }>>
  readonly error?: { readonly code: string; readonly message: string }
}

/** Options of {@link Announcer.announce}. */
export interface AnnounceOptions {
  /** How long to wait for every live replica's outcome (0: send and do not wait). */
  timeoutMs?: number
}

/**
 * How the servers of one app reach each other (PostgreSQL LISTEN/NOTIFY in
 * @chariots/store-postgres, or anything with publish, subscribe and replies). A small hook: the
 * host announces and answers; the transport only carries messages and knows who is listening.
 *
 * @example
 * ```ts
 * const host = new PipelineHost(pipelines, { store, announcer: new PostgresAnnouncer(store.db) })
 * await host.load('pred_iris') // loads here, then on every replica; answers each one's outcome
 * ```
 */
export interface Announcer {
  /** This process's name among the replicas. */
  readonly replica: string
  /**
   * Sends `message` to every other subscribed replica and answers each one's outcome; a live
   * replica that did not answer within `timeoutMs` is reported as `timeout`.
   */
  announce(message: Announcement, options?: AnnounceOptions): Promise<ReplicaOutcome[]>
  /** Receives the other replicas' announcements; the handler's outcome goes back to the announcer. */
  subscribe(handler: (message: Announcement) => Promise<ReplicaOutcome>): Promise<void>
  /** Stops receiving and releases the connection. */
  close(): Promise<void>
}
