import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BaseSaver, ChariotsError, ErrorCode } from '@chariots/core'
import { counterPipeline, isOddPipeline } from '@chariots/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Chariots } from '../src/index.js'
import { predictMean, trainMean } from './helpers/lifecycle-ops.js'
import { tempDir } from './helpers/transports.js'

describe('GET /livez and GET /readyz', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  const apps: Chariots[] = []
  beforeEach(async () => {
    dir = await tempDir()
  })
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close()
    await dir.remove()
  })
  const open = (...args: ConstructorParameters<typeof Chariots>) => {
    const app = new Chariots(...args)
    apps.push(app)
    return app
  }
  const get = async (app: Chariots, path: string) => {
    const res = await app.request(path)
    return { status: res.status, body: (await res.json()) as { ready?: boolean; problems?: string[] } }
  }

  it('are 200 for an app whose prediction pipeline was never trained (a fresh deployment takes traffic)', async () => {
    const app = open([trainMean(), predictMean()], { path: dir.path })
    await app.ready()
    expect(await get(app, '/livez')).toEqual({ status: 200, body: { live: true } })
    expect(await get(app, '/readyz')).toEqual({ status: 200, body: { ready: true, problems: [] } })
  })

  it('/readyz is 503 while the start-up load runs; /livez answers meanwhile', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => {
      release = r
    })
    const saver = new (class extends BaseSaver {
      async save() {}
      async load(path: string): Promise<Uint8Array> {
        throw new ChariotsError(ErrorCode.NOT_FOUND, `no file at '${path}'`)
      }
      async exists() {
        return false
      }
      override async list() {
        await gate
        return []
      }
    })()
    const app = open([counterPipeline()], { saver })
    expect((await get(app, '/livez')).status).toBe(200)
    const notYet = await get(app, '/readyz')
    expect(notYet.status).toBe(503)
    expect(notYet.body.problems).toEqual(['the start-up load of the pipelines is still running'])
    release()
    await app.ready()
    expect((await get(app, '/readyz')).status).toBe(200)
  })

  it('/readyz is 503 naming the pipeline that failed to load, and the others still serve', async () => {
    await writeFile(join(dir.path, '_meta.json'), '{ not json')
    const app = open([isOddPipeline(), counterPipeline()], { path: dir.path })
    await app.ready()
    const res = await get(app, '/readyz')
    expect(res.status).toBe(503)
    expect(res.body.problems).toHaveLength(1)
    expect(res.body.problems![0]).toMatch(/^pipeline 'counter' failed to load \(STORE_ERROR\): .*_meta\.json/)
    expect(
      (
        await app.request('/pipelines/is_odd/main', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"pipeline_input": 3}',
        })
      ).status,
    ).toBe(200)
  })

  it('are open with publicHealth, and need the token otherwise', async () => {
    const open1 = open([isOddPipeline()], { path: dir.path, auth: { token: 't', publicHealth: true } })
    await open1.ready()
    expect((await get(open1, '/readyz')).status).toBe(200)
    expect((await get(open1, '/livez')).status).toBe(200)
    const closed = open([isOddPipeline()], { path: dir.path, auth: { token: 't' } })
    expect((await get(closed, '/livez')).status).toBe(401)
  })
})
