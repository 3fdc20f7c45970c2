// The app's test, through TestClient (in-process, no socket).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Chariots } from '@chariots/server'
import { TestClient } from '@chariots/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp } from '../create-app.js'

describe('the app', () => {
  let dir: string
  let app: Chariots
  let client: TestClient

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chariots-app-'))
    app = await createApp(dir)
    client = new TestClient(app)
  })

  afterEach(async () => {
    await app.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('answers is_odd', async () => {
    expect((await client.callPipeline('is_odd', 3)).value).toBe(true)
    expect((await client.callPipeline('is_odd', 4)).value).toBe(false)
    expect(await client.healthCheck()).toEqual({ is_odd: true })
  })

  it('rejects input that is not a whole number', async () => {
    await expect(client.callPipeline('is_odd', 'four')).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })

  it('runs a call in a worker', async () => {
    const queued = await client.callPipeline('is_odd', 5, { useWorker: true })
    expect(queued.jobStatus).toBe('queued')
    const done = await client.waitForJob(queued.jobId!, 'is_odd', { timeoutMs: 10_000 })
    expect(done).toMatchObject({ jobStatus: 'done', value: true })
  })
})
