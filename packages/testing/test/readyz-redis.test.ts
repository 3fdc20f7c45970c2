// GET /readyz follows the worker pool's Redis: 200 while it answers, 503 naming the backend once
// it stops, 200 again once it is back.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Chariots } from '@chariots/server'
import { isOddPipeline, startRedis } from '@chariots/testing'
import { RQWorkerPool } from '@chariots/workers-rq-like'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

describe('GET /readyz with an RQWorkerPool', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chariots-readyz-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('is 200 while Redis answers and 503 naming the backend once it is gone', async () => {
    const redis = await startRedis()
    const pool = new RQWorkerPool({
      connection: redis.url,
      queueName: `readyz-${randomUUID()}`,
      commandTimeoutMs: 500,
      workerCountCacheMs: 0,
      onError: () => {},
    })
    const app = new Chariots([isOddPipeline()], { path: dir, workerPool: pool })
    try {
      await app.ready()
      expect((await app.request('/readyz')).status).toBe(200)
      await redis.stop()
      const down = await app.request('/readyz')
      expect(down.status).toBe(503)
      const body = (await down.json()) as { problems: string[] }
      expect(body.problems[0]).toMatch(/^the worker pool's backend does not answer: /)
      expect((await app.request('/livez')).status).toBe(200)
    } finally {
      await app.close()
      await redis.stop()
    }
  })
})
