import { ChariotsError, ErrorCode, type Progress, Version } from '@chariots/core'
import type { JobError, JobStatus } from '@chariots/workers'

/**
 * What a pipeline call (or a job fetch) answers: the output, each node's version, and for worker
 * calls the job's id, status, latest progress and error.
 *
 * @example
 * ```ts
 * const r: PipelineResponse = await client.callPipeline('is_odd', 4)
 * r.value // false
 * r.versions.get('isoddop') // a Version
 * ```
 */
export interface PipelineResponse<T = unknown> {
  /** The pipeline output (null while a job has not finished). */
  value: T
  /** Node name → version (empty while a job has not finished). */
  versions: Map<string, Version>
  /** The job id of a worker call, else null. */
  jobId: string | null
  /** `done` for a synchronous call; the job's status for a worker call. */
  jobStatus: JobStatus
  /** The latest progress an op of the job reported, if any. */
  progress?: Progress | null
  /** The job's error once it `failed`. */
  error?: JobError | null
  /** True while the job is queued or running and no live worker holds it (job fetches only). */
  workerLost?: boolean
}

/** Reads a `versions` JSON record into a Map of parsed versions. */
export function parseVersions(record: unknown): Map<string, Version> {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new ChariotsError(
      ErrorCode.INVALID_BODY,
      `the server answered versions ${JSON.stringify(record)?.slice(0, 100)}, not an object`,
    )
  }
  return new Map(Object.entries(record).map(([name, v]) => [name, Version.parse(String(v))]))
}

/** Reads the JSON of a pipeline call or job fetch into a {@link PipelineResponse}. */
export function toPipelineResponse<T = unknown>(body: unknown): PipelineResponse<T> {
  if (typeof body !== 'object' || body === null || !('job_status' in body)) {
    throw new ChariotsError(
      ErrorCode.INVALID_BODY,
      `the server answered ${JSON.stringify(body)?.slice(0, 200)}, not a pipeline response`,
    )
  }
  const b = body as Record<string, unknown>
  const response: PipelineResponse<T> = {
    value: (b.pipeline_output ?? null) as T,
    versions: parseVersions(b.versions ?? {}),
    jobId: typeof b.job_id === 'string' ? b.job_id : null,
    jobStatus: b.job_status as JobStatus,
  }
  if ('progress' in b) response.progress = (b.progress ?? null) as Progress | null
  if ('error' in b) response.error = (b.error ?? null) as JobError | null
  if ('worker_lost' in b) response.workerLost = b.worker_lost === true
  return response
}
