import type { PipelineHost, Progress } from '@chariots/core'
import { type JobData, type JobResult, runPipelineJob } from '@chariots/workers'
import { toBullFailure } from './job-failure.js'

/** What a BullMQ job (in-process or sandboxed) offers the job body. */
export interface BullJobLike {
  id?: string | undefined
  data: JobData
  updateProgress(progress: Progress): Promise<void>
}

/**
 * The BullMQ processor body: `runPipelineJob` with progress going to `job.updateProgress`, and a
 * failure rethrown in the form `fromFailedReason` reads back.
 */
export async function processJob(host: PipelineHost, job: BullJobLike): Promise<JobResult> {
  try {
    return await runPipelineJob(host, job.data.pipelineName, job.data.input, {
      jobId: job.id ?? '',
      reportProgress: (progress) => job.updateProgress(progress),
    })
  } catch (err) {
    throw toBullFailure(err)
  }
}
