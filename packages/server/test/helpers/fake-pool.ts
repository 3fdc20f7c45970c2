import type { PipelineHost } from '@chariots/core'
import { ChariotsError, type Pipeline } from '@chariots/core'
import { BaseWorkerPool, type JobResponse, newJobId, type WorkerHandle } from '@chariots/workers'

/**
 * A pool that runs nothing: jobs stay as the test sets them. It checks how the server talks to a
 * pool (real pools are tested by the workers suite).
 */
export class FakePool extends BaseWorkerPool {
  workers = 1
  closed = false
  readonly jobs = new Map<string, JobResponse>()
  readonly queued: { pipeline: string; input: unknown }[] = []

  get attached(): PipelineHost | undefined {
    return this.host
  }
  async nWorkers() {
    return this.workers
  }
  async spawnWorker(): Promise<WorkerHandle> {
    this.workers += 1
    return {
      close: async () => {
        this.workers -= 1
      },
    }
  }
  async executePipelineAsync(pipeline: Pipeline, input: unknown) {
    const jobId = newJobId()
    this.queued.push({ pipeline: pipeline.name, input })
    this.jobs.set(jobId, {
      jobId,
      pipelineName: pipeline.name,
      status: 'queued',
      value: null,
      versions: {},
      progress: null,
      error: null,
    })
    return jobId
  }
  async getPipelineResponseForId(jobId: string) {
    const job = this.jobs.get(jobId)
    if (!job) throw new ChariotsError('JOB_NOT_FOUND', `job '${jobId}' is not known`)
    return job
  }
  async close() {
    this.closed = true
  }
}
