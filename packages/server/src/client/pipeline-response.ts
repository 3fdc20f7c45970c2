import { type Progress, Version } from '@chariots/core'
import type { JobError, JobStatus } from '@chariots/workers'
import { parseWire } from '../wire/parse-wire.js'
import { JobWire, VersionsWire } from '../wire/pipeline-call-wire.js'

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

/**
 * Reads a `versions` JSON record into a Map of parsed versions; anything else is an
 * `INVALID_RESPONSE`.
 */
export function parseVersions(record: unknown, what = 'a versions request'): Map<string, Version> {
  const versions = parseWire(VersionsWire, record, what)
  return new Map(Object.entries(versions).map(([name, v]) => [name, Version.parse(v)]))
}

/**
 * Reads the JSON of a pipeline call, a job fetch or a job event ({@link JobWire}) into a
 * {@link PipelineResponse}; a body of another shape is an `INVALID_RESPONSE`.
 */
export function toPipelineResponse<T = unknown>(
  body: unknown,
  what = 'a pipeline call',
): PipelineResponse<T> {
  const wire = parseWire(JobWire, body, what)
  const response: PipelineResponse<T> = {
    value: (wire.pipeline_output ?? null) as T,
    versions: new Map(Object.entries(wire.versions).map(([name, v]) => [name, Version.parse(v)])),
    jobId: wire.job_id,
    jobStatus: wire.job_status,
  }
  if (wire.progress !== undefined) response.progress = wire.progress
  if (wire.error !== undefined) response.error = wire.error
  if (wire.worker_lost !== undefined) response.workerLost = wire.worker_lost
  return response
}

/**
 * The response as the wire sent it, with the wire's field names (what `chariots call` prints):
 * the inverse of {@link toPipelineResponse}.
 */
export function pipelineResponseToWire(response: PipelineResponse): JobWire {
  const wire: JobWire = {
    pipeline_output: response.value,
    versions: Object.fromEntries([...response.versions].map(([name, v]) => [name, v.toString()])),
    job_id: response.jobId,
    job_status: response.jobStatus,
  }
  if (response.progress !== undefined) wire.progress = response.progress
  if (response.error !== undefined) wire.error = response.error
  if (response.workerLost !== undefined) wire.worker_lost = response.workerLost
  return wire
}
