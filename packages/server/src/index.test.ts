import * as workers from '@chariots/workers'
import { describe, expect, it } from 'vitest'
import * as api from './index.js'

describe('@chariots/server', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "Chariots",
        "DEFAULT_HTTP_SERVER_LIMITS",
        "JobStatus",
        "STATUS_FOR_CODE",
        "ServerErrorCode",
        "applyHttpServerLimits",
        "buildOpenApi",
        "graphToDot",
        "graphToMermaid",
        "graphToSvg",
        "layoutGraph",
        "statusForCode",
        "storeFromEnv",
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
