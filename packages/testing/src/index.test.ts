import * as workers from '@chariots/workers'
import { describe, expect, it } from 'vitest'
import * as api from './index.js'

describe('@chariots/testing', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "AddOneOp",
        "CounterOp",
        "FailingOp",
        "IsOddOp",
        "JobStatus",
        "ProgressOp",
        "RangeOp",
        "STORE_KINDS",
        "SlowOp",
        "TestClient",
        "WorkerContext",
        "addOneIsOddPipeline",
        "counterPipeline",
        "createStoreKit",
        "failingPipeline",
        "isOddPipeline",
        "pingRedis",
        "progressPipeline",
        "rangePipeline",
        "slowPipeline",
        "startPostgres",
        "startRedis",
        "startS3",
      ]
    `)
  })

  it('re-exports JobStatus from @chariots/workers, as a value and as a type', () => {
    expect(api.JobStatus).toBe(workers.JobStatus)
    const finished: api.JobStatus[] = [api.JobStatus.done, api.JobStatus.failed]
    expect(finished).toEqual(['done', 'failed'])
    expect(Object.values(api.JobStatus)).toEqual(['queued', 'running', 'done', 'failed', 'deferred'])
  })
})
