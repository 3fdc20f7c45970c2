import { isOddPipeline } from '@chariots/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { Chariots } from '../src/index.js'
import { ErrorBodyWire } from '../src/wire/error-body-wire.js'
import { JobWire, PipelineCallWire, VersionsWire } from '../src/wire/pipeline-call-wire.js'
import {
  AvailablePipelinesWire,
  HealthCheckWire,
  LoadWire,
  PipelineHealthWire,
  SaveWire,
} from '../src/wire/pipeline-route-wire.js'
import { FakePool } from './helpers/fake-pool.js'
import { postJson, tempDir } from './helpers/transports.js'

/** The answer has exactly the schema's shape: parsing keeps every key and drops none. */
async function expectShape(schema: z.ZodType, res: Response, status = 200): Promise<void> {
  expect(res.status).toBe(status)
  const body: unknown = await res.json()
  expect(schema.parse(body)).toEqual(body)
}

describe('the routes answer the wire schemas, key for key', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let app: Chariots
  const pool = new FakePool()
  beforeEach(async () => {
    dir = await tempDir()
    app = new Chariots([isOddPipeline('simple_pipeline')], { path: dir.path, workerPool: pool })
    await app.ready()
  })
  afterEach(async () => {
    await app.close()
    await dir.remove()
  })

  it('main, in the process and in a worker; the job routes', async () => {
    const main = (body: object) => app.request('/pipelines/simple_pipeline/main', postJson(body))
    await expectShape(PipelineCallWire, await main({ pipeline_input: 3 }))
    const queued = await main({ pipeline_input: 3, use_worker: true })
    const { job_id } = PipelineCallWire.parse(await queued.clone().json())
    await expectShape(PipelineCallWire, queued)
    await expectShape(JobWire, await app.request('/jobs/fetch/', postJson({ job_id })))
    await expectShape(JobWire, await app.request(`/jobs/${job_id}/wait?timeout_ms=0`))
  })

  it('save, load, versions, health_check, available_pipelines', async () => {
    const post = (route: string) => app.request(`/pipelines/simple_pipeline/${route}`, postJson(null))
    await expectShape(SaveWire, await post('save'))
    await expectShape(LoadWire, await post('load'))
    await expectShape(VersionsWire, await post('versions'))
    await expectShape(PipelineHealthWire, await app.request('/pipelines/simple_pipeline/health_check'))
    await expectShape(HealthCheckWire, await app.request('/health_check'))
    await expectShape(AvailablePipelinesWire, await app.request('/available_pipelines'))
  })

  it('every error', async () => {
    await expectShape(ErrorBodyWire, await app.request('/pipelines/nope/main', postJson({})), 404)
    await expectShape(ErrorBodyWire, await app.request('/jobs/fetch/', postJson({ job_id: 3 })), 400)
  })
})
