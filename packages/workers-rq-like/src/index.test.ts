import { describe, expect, it } from 'vitest'
import * as api from './index.js'

describe('@chariots/workers-rq-like', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "APP_MODULE_ENV",
        "RQWorkerContext",
        "RQWorkerPool",
        "RQ_QUEUE_LIMITS",
        "fromFailedReason",
        "loadWorkerHost",
        "toBullFailure",
        "toJobStatus",
      ]
    `)
  })
})
