import { describe, expect, it } from 'vitest'
import * as api from './index.js'

describe('@chariots/workers', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "BaseWorkerPool",
        "InProcessWorkerPool",
        "JobStatus",
        "isFinished",
        "isValidJobId",
        "newJobId",
        "normalizeProgress",
        "runPipelineJob",
        "toJobError",
      ]
    `)
  })
})
