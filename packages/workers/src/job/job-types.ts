import type { Progress } from '@chariots/core'
import type { JobStatus } from './job-status.js'

/** What a queued job carries. */
export interface JobData {
  pipelineName: string
  /** Dropped once the job is finished (pools keep finished jobs without their input). */
  input?: unknown
  /** How long the job may run, in ms, fixed when it was queued (0: no limit). */
  timeoutMs?: number
  /** The bytes of `input` as JSON, measured when it was queued. */
  inputBytes?: number
}

/** What a finished job body returns. */
export interface JobResult {
  value: unknown
  /** Node name → version string, as the wire sends them. */
  versions: Record<string, string>
}

/** A job's error, as the wire sends it. */
export interface JobError {
  code: string
  message: string
}

/** Everything known of a job, as `getPipelineResponseForId` answers. */
export interface JobResponse {
  jobId: string
  pipelineName: string | null
  status: JobStatus
  /** The pipeline output once `done`, else null. */
  value: unknown
  /** Node name → version string once `done`, else `{}`. */
  versions: Record<string, string>
  /** The latest progress an op reported, or null. */
  progress: Progress | null
  /** The error once `failed`, else null. */
  error: JobError | null
  /**
   * True while the job is `queued` or `running` but no live worker holds it: the worker running it
   * died (its lock expired) or no worker is alive to run it. It runs again once a worker recovers
   * it, or fails (`JOB_STALLED`). Absent (or false) otherwise.
   */
  workerLost?: boolean
}

/** What the job body receives besides its data. */
export interface JobContext {
  jobId: string
  /** Stores the job's latest progress. */
  reportProgress(progress: Progress): void | Promise<void>
}
