// The app's own test, through TestClient (in-process, no socket): what `chariots new --iris` generates.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Chariots } from '@chariots/server'
import { TestClient } from '@chariots/testing'
import { InProcessWorkerPool } from '@chariots/workers'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp } from '../create-app.js'

const SPECIES = ['setosa', 'versicolor', 'virginica']

describe('the iris app', () => {
  let dir: string
  let app: Chariots
  let client: TestClient

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iris-app-'))
    app = await createApp(dir, new InProcessWorkerPool())
    client = new TestClient(app)
  })

  afterEach(async () => {
    await app.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('answers is_odd and rejects input that is not a whole number', async () => {
    expect((await client.callPipeline('is_odd', 3)).value).toBe(true)
    expect((await client.callPipeline('is_odd', 4)).value).toBe(false)
    await expect(client.callPipeline('is_odd', 'four')).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })

  it('downloads, trains, saves, loads the prediction pipeline and predicts', async () => {
    expect(await client.isPipelineLoaded('pred_iris')).toBe(false)
    await client.callPipeline('download_iris')
    await client.callPipeline('train_iris')
    await client.savePipeline('train_iris')
    await client.loadPipeline('pred_iris')
    expect(await client.isPipelineLoaded('pred_iris')).toBe(true)

    const { value } = await client.callPipeline<string[]>('pred_iris', [
      [1, 2, 3, 4],
      [5.1, 3.5, 1.4, 0.2], // the first flower of the data set, a setosa
    ])
    expect(SPECIES).toContain(value[0])
    expect(value[1]).toBe('setosa')
  })

  it('trains in a worker, which saves the models for the prediction pipeline', async () => {
    await client.callPipeline('download_iris')
    const queued = await client.callPipeline('train_iris_async')
    expect(queued.jobStatus).toBe('queued')

    const done = await client.waitForJob(queued.jobId!, 'train_iris_async', { timeoutMs: 30_000 })
    expect(done.jobStatus).toBe('done')
    expect(done.progress).toBe(1)

    await client.loadPipeline('pred_iris')
    const { value } = await client.callPipeline<string[]>('pred_iris', [[1, 2, 3, 4]])
    expect(SPECIES).toContain(value[0])
  })
})
