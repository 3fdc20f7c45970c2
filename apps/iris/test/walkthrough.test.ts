// The README's walkthrough over real HTTP: the app served by @hono/node-server on a free loopback
// port, called with the Client of @chariots/server/client, on a temporary store folder.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Chariots } from '@chariots/server'
import { Client } from '@chariots/server/client'
import { startRedis } from '@chariots/testing'
import { type BaseWorkerPool, InProcessWorkerPool } from '@chariots/workers'
import { RQWorkerContext, RQWorkerPool } from '@chariots/workers-rq-like'
import { type ServerType, serve } from '@hono/node-server'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../create-app.js'

const SPECIES = ['setosa', 'versicolor', 'virginica']
const cleanups: (() => Promise<unknown>)[] = []

afterEach(async () => {
  // Last started, first stopped: workers, then the app and its pool, the server, Redis, the folder.
  while (cleanups.length > 0) await cleanups.pop()!()
})

/** Serves a fresh app on its own store folder and answers a Client for it. */
async function serveApp(pool: BaseWorkerPool): Promise<{ app: Chariots; client: Client }> {
  const dir = await mkdtemp(join(tmpdir(), 'iris-walkthrough-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  const app = await createApp(dir, pool)
  await app.ready()
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  cleanups.push(() => new Promise((resolve) => server.close(resolve)))
  cleanups.push(() => app.close())
  const { port } = server.address() as AddressInfo
  return { app, client: new Client(`http://127.0.0.1:${port}`) }
}

async function predict(client: Client): Promise<string> {
  const { value, versions } = await client.callPipeline<string[]>('pred_iris', [[1, 2, 3, 4]])
  expect([...versions.keys()]).toEqual(['pca', 'random_forest', 'species'])
  expect(value).toHaveLength(1)
  expect(SPECIES).toContain(value[0])
  return value[0]!
}

describe('the iris walkthrough over HTTP', () => {
  it('download → train → save → load → predict, with health checks before and after', async () => {
    const { client } = await serveApp(new InProcessWorkerPool())
    expect(await client.healthCheck()).toEqual({
      download_iris: true,
      train_iris: true,
      train_iris_async: true,
      pred_iris: false,
      is_odd: true,
    })
    await expect(client.callPipeline('pred_iris', [[1, 2, 3, 4]])).rejects.toMatchObject({
      code: 'PIPELINE_NOT_LOADED',
    })

    const downloaded = await client.callPipeline('download_iris')
    expect(downloaded.jobStatus).toBe('done')
    const trained = await client.callPipeline('train_iris')
    expect([...trained.versions.keys()]).toEqual(['load_iris.csv', 'xy_split', 'pca', 'random_forest'])
    await client.savePipeline('train_iris')
    await client.loadPipeline('pred_iris')
    await predict(client)

    const health = await client.healthCheck()
    expect(Object.values(health).every(Boolean)).toBe(true)
    expect(await client.isPipelineLoaded('pred_iris')).toBe(true)
  })

  it('trains as a job in the InProcessWorkerPool, then the server loads and predicts', async () => {
    const { client } = await serveApp(new InProcessWorkerPool())
    await client.callPipeline('download_iris')

    const queued = await client.callPipeline('train_iris_async')
    expect(queued).toMatchObject({ jobStatus: 'queued', value: null })
    const done = await client.waitForJob(queued.jobId!, 'train_iris_async', { timeoutMs: 30_000 })
    expect(done).toMatchObject({ jobStatus: 'done', progress: 1, error: null })
    expect(done.versions.has('random_forest')).toBe(true)

    await client.loadPipeline('pred_iris')
    await predict(client)
  })

  describe('with RQWorkerPool on a real redis-server', () => {
    it('trains as a BullMQ job, then the server loads and predicts', async () => {
      const redis = await startRedis()
      cleanups.push(() => redis.stop())
      const pool = new RQWorkerPool({ connection: redis.url, queueName: `iris-${randomUUID()}` })
      const { app, client } = await serveApp(pool)
      const workers = await RQWorkerContext.start(app)
      cleanups.push(() => workers.close())

      await client.callPipeline('download_iris')
      const queued = await client.callPipeline('train_iris_async')
      expect(queued.jobStatus).toBe('queued')
      const done = await client.waitForJob(queued.jobId!, 'train_iris_async', { timeoutMs: 30_000 })
      expect(done).toMatchObject({ jobStatus: 'done', progress: 1, error: null })

      // Job state lives in Redis: any client of any server reads it.
      expect((await client.fetchJob(queued.jobId!)).jobStatus).toBe('done')
      await client.loadPipeline('pred_iris')
      await predict(client)
    })
  })
})
