import type { Announcement, ReplicaOutcome } from '@chariots/core'

/**
 * What a process of `chariots serve --workers N` tells the primary over the cluster's IPC channel:
 * - `join`: it has done its start-up load; relay announcements to it, and send the log it must
 *   replay first;
 * - `announce`: relay this announcement to every other process (and, with `timeoutMs` above 0,
 *   answer their outcomes);
 * - `outcome`: its outcome of an announcement the primary delivered;
 * - `leave`: it stops receiving announcements (it is closing);
 * - `ready`: it listens and serves;
 * - `failed`: it could not start (the error's code and message, for the primary to print once).
 */
export type FromWorker =
  | { readonly chariots: 'join'; readonly replica: string }
  | { readonly chariots: 'announce'; readonly message: Announcement; readonly timeoutMs: number }
  | { readonly chariots: 'outcome'; readonly to: string; readonly outcome: ReplicaOutcome }
  | { readonly chariots: 'leave' }
  | { readonly chariots: 'ready'; readonly ready: WorkerReady }
  | { readonly chariots: 'failed'; readonly code: string; readonly message: string }

/** What a process says once it listens. */
export interface WorkerReady {
  readonly port: number
  /** Where the app keeps its states (`store.location`). */
  readonly store: string
  readonly pipelines: readonly string[]
  /**
   * How the processes stay in step: `ipc` (through the primary), the name of the app's own
   * announcer (`RedisAnnouncer`, `PostgresAnnouncer`), or `none` (an app built on its own host).
   */
  readonly inStepBy: string
  /** The app's worker pool runs jobs inside each process (`InProcessWorkerPool`). */
  readonly jobsInProcess: boolean
}

/**
 * What the primary tells a process:
 * - `joined`: the announcements it must replay before it listens (the last load of each pipeline,
 *   and the saves announced since), oldest first;
 * - `deliver`: another process's announcement, to handle and answer with an `outcome`;
 * - `outcomes`: the other processes' outcomes of its announcement;
 * - `retire`: stop accepting, finish what is in flight, and exit (a rolling restart).
 */
export type ToWorker =
  | { readonly chariots: 'joined'; readonly log: readonly Announcement[] }
  | { readonly chariots: 'deliver'; readonly message: Announcement }
  | { readonly chariots: 'outcomes'; readonly to: string; readonly outcomes: readonly ReplicaOutcome[] }
  | { readonly chariots: 'retire' }

/**
 * Whether an IPC message is one of ours (node:cluster sends its own on the same channel).
 *
 * @example
 * ```ts
 * isClusterMessage({ chariots: 'retire' }) // true
 * isClusterMessage({ cmd: 'NODE_CLUSTER' }) // false
 * ```
 */
export function isClusterMessage<T extends FromWorker | ToWorker>(message: unknown): message is T {
  return typeof (message as { chariots?: unknown } | null)?.chariots === 'string'
}
