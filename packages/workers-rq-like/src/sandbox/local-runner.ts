import type { PipelineHost, Progress } from '@chariots/core'
import { type JobOutcome, runJobBody } from '../job/job-body.js'
import type { JobRunner } from './job-runner.js'
import type { RunRequest } from './runner-messages.js'

/**
 * A {@link JobRunner} in this process, on the attached host (`spawnWorker()`, and workers started
 * without an app module). JavaScript cannot stop a function that does not return: `stop()` only
 * abandons the body (its later progress and outcome are dropped), which runs on until it returns.
 *
 * @example
 * ```ts
 * const outcome = await new LocalRunner(app.host).run({ jobId, data: { pipelineName: 'is_odd', input: 3 } }, () => {})
 * ```
 */
export class LocalRunner implements JobRunner {
  readonly ready = Promise.resolve()
  readonly stoppable = false
  dead = false

  constructor(private readonly host: PipelineHost) {}

  run(request: RunRequest, onProgress: (progress: Progress) => void): Promise<JobOutcome> {
    return runJobBody(this.host, request.jobId, request.data, (progress) => {
      if (!this.dead) onProgress(progress)
    })
  }

  async stop(): Promise<void> {
    this.dead = true
  }
}
