import type { BaseRunner, BaseSaver, OpStore, Pipeline, Progress, RunOptions } from '@chariots/core'
import type { JobStatus } from './job-status.js'

/**
 * What a job body needs of the app that owns the pipelines (the server's `Chariots` implements it;
 * a batch script can implement it too). Workers look pipelines up by name.
 */
export interface WorkerApp {
  readonly saver: BaseSaver
  readonly store: OpStore
  readonly runner: BaseRunner
  /** Options of every run (the app's default pipeline callbacks). */
  readonly runOptions?: RunOptions
  /** The pipeline of that name; throws a `PIPELINE_NOT_FOUND` ChariotsError when there is none. */
  getPipeline(name: string): Pipeline
  /**
   * Resolves once the app's startup work (loading every pipeline) is done; job bodies wait for it so
   * a job does not load a pipeline while the app's own startup load is running.
   */
  ready?(): Promise<unknown>
}

/** What a queued job carries. */
export interface JobData {
  pipelineName: string
  input: unknown
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
}

/** What the job body receives besides its data. */
export interface JobContext {
  jobId: string
  /** Stores the job's latest progress. */
  reportProgress(progress: Progress): void | Promise<void>
}
