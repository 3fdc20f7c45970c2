import type { JobResponse } from '@chariots/workers'
import type { JobWire } from './pipeline-call-wire.js'

/**
 * A job as the wire sends it: the shape of a pipeline call plus `progress`, `error` and
 * `worker_lost` (true while the job is queued or running with no live worker to hold it; extra
 * keys the Python client ignores).
 */
export function jobToWire(job: JobResponse): JobWire {
  return {
    pipeline_output: job.value ?? null,
    versions: job.versions ?? {},
    job_id: job.jobId,
    job_status: job.status,
    progress: job.progress ?? null,
    error: job.error ?? null,
    worker_lost: job.workerLost === true,
  }
}
