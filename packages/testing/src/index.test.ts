import { readFileSync } from 'node:fs'
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

  it('installs neither BullMQ nor ml.js: no dependency, direct or through a Chariots package, on them', () => {
    const manifest = (pkg: string) =>
      JSON.parse(readFileSync(new URL(`../../${pkg}/package.json`, import.meta.url), 'utf8')) as {
        dependencies?: Record<string, string>
      }
    const installed = new Set<string>()
    const walk = (pkg: string) => {
      for (const dep of Object.keys(manifest(pkg).dependencies ?? {})) {
        if (installed.has(dep)) continue
        installed.add(dep)
        if (dep.startsWith('@chariots/')) walk(dep.slice('@chariots/'.length))
      }
    }
    walk('testing')
    expect(installed).toContain('@chariots/server')
    const unwanted = [...installed].filter((d) =>
      /^(bullmq|ioredis|ml-.*|@chariots\/(ml|workers-rq-like))$/.test(d),
    )
    expect(unwanted).toEqual([])
  })
})
