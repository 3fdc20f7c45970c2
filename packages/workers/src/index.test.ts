import { describe, expect, it } from 'vitest'
import * as api from './index.js'

describe('@chariots/workers', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "BaseWorkerPool",
        "DEFAULT_JOB_TIMEOUT_MS",
        "DEFAULT_SHUTDOWN_TIMEOUT_MS",
        "IN_PROCESS_QUEUE_LIMITS",
        "InProcessWorkerPool",
        "JobStatus",
        "WorkerContext",
        "checkQueueLimits",
        "checkedMs",
        "isFinished",
        "isValidJobId",
        "jobTimeoutError",
        "jobTimeoutFor",
        "jsonByteLength",
        "newJobId",
        "normalizeProgress",
        "resolveQueueLimits",
        "runPipelineJob",
        "shutdownGraceMs",
        "toJobError",
        "workerShutdownError",
      ]
    `)
  })
})
