import type { PipelineHost } from '@chariots/core'
import type { JobContext, JobResult } from '../job/job-types.js'

/**
 * The one job body every pool runs: the host's job sequence (reload the store → prepare the data
 * nodes → load atomically by the version rule → run with `op.reportProgress` reaching
 * `ctx.reportProgress` → save what changed), so a training job's models are there for the next
 * load and a prediction job writes nothing.
 *
 * Throws the body's error as is: a ChariotsError keeps its code (`PIPELINE_NOT_FOUND`,
 * `PIPELINE_NOT_LOADED`, `VERSION_INCOMPATIBLE`, …); an op's own error is `OP_FAILED`.
 *
 * @example
 * ```ts
 * const { value, versions } = await runPipelineJob(app.host, 'is_odd', 4, { jobId: newJobId(), reportProgress() {} })
 * // value === false, versions === { isoddop: '…' }
 * ```
 */
export async function runPipelineJob(
  host: PipelineHost,
  pipelineName: string,
  input: unknown,
  ctx: JobContext,
): Promise<JobResult> {
  const { value, versions } = await host.runJob(pipelineName, input, ctx)
  return { value: value === undefined ? null : value, versions }
}
