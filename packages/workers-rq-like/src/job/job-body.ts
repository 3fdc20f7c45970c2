import type { PipelineHost, Progress } from '@chariots/core'
import { type JobData, type JobError, type JobResult, runPipelineJob, toJobError } from '@chariots/workers'

/** How a job body ended: its result, or its error in the `{ code, message }` form. */
export type JobOutcome = { ok: true; result: JobResult } | { ok: false; error: JobError }

/**
 * The one job body of the RQ pool, wherever it runs (this process, a job thread, a child
 * process): `runPipelineJob` on `host`, progress to `reportProgress`, and the outcome as data
 * (never a throw), so each runner only has to carry it home.
 *
 * @example
 * ```ts
 * const outcome = await runJobBody(host, jobId, { pipelineName: 'is_odd', input: 3 }, () => {})
 * // { ok: true, result: { value: true, versions: { isoddop: '…' } } }
 * ```
 */
export async function runJobBody(
  host: PipelineHost,
  jobId: string,
  data: JobData,
  reportProgress: (progress: Progress) => void,
): Promise<JobOutcome> {
  try {
    return {
      ok: true,
      result: await runPipelineJob(host, data.pipelineName, data.input, { jobId, reportProgress }),
    }
  } catch (err) {
    return { ok: false, error: toJobError(err) }
  }
}
