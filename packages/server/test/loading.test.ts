import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BaseSaver, ChariotsError, ErrorCode } from '@chariots/core'
import { counterPipeline, isOddPipeline, TestClient } from '@chariots/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Chariots } from '../src/index.js'
import { predict, trainBoth, trainUpstream } from './helpers/ml-pipelines.js'
import { tempDir } from './helpers/transports.js'

describe('loading at construction', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeEach(async () => {
    dir = await tempDir()
  })
  afterEach(async () => {
    await dir.remove()
  })

  it('makes requests wait until every pipeline is loaded', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => {
      release = r
    })
    const saver = new (class extends BaseSaver {
      async save() {}
      async load(path: string): Promise<Uint8Array> {
        await gate
        throw new ChariotsError(ErrorCode.NOT_FOUND, `no file at '${path}'`)
      }
      async exists() {
        await gate
        return false
      }
      override async list() {
        await gate
        return []
      }
      override async withLock<T>(_: string, fn: () => Promise<T>) {
        return fn()
      }
    })()
    // The counter loads its saved state at start-up: that read waits for the gate.
    const app = new Chariots([isOddPipeline(), counterPipeline()], { saver: saver as unknown as BaseSaver })
    let answered = false
    const pending = new TestClient(app).callPipeline('is_odd', 3).then((r) => {
      answered = true
      return r
    })
    await new Promise((r) => setTimeout(r, 30))
    expect(answered).toBe(false)
    release()
    expect((await pending).value).toBe(true)
    await app.ready()
  })

  it('serves a pipeline that cannot load as not loaded, with the reason, and never throws', async () => {
    const first = new Chariots([trainBoth(), trainUpstream(), predict()], { path: dir.path })
    const client = new TestClient(first)
    await client.callPipeline('train_both', [1, 2, 3])
    await client.savePipeline('train_both')
    await client.callPipeline('train_upstream', [5, 6])
    await client.savePipeline('train_upstream')
    const second = new Chariots([isOddPipeline(), predict()], { path: dir.path })
    await second.ready()
    expect(await new TestClient(second).healthCheck()).toEqual({ is_odd: true, predict: false })
    const res = await second.request('/pipelines/predict/health_check')
    expect(res.status).toBe(419)
    expect(((await res.json()) as any).error).toMatchObject({
      code: 'PIPELINE_NOT_LOADED',
      message: expect.stringContaining('upstreamop'),
    })
  })

  it('reports a corrupt store on the pipelines that need it, and keeps serving the others', async () => {
    await writeFile(join(dir.path, '_meta.json'), '{ not json')
    const app = new Chariots([isOddPipeline(), counterPipeline()], { path: dir.path })
    await app.ready()
    expect(await new TestClient(app).healthCheck()).toEqual({ is_odd: true, counter: false })
    expect(app.getPipeline('counter').notLoadedReason).toMatch(/store '.*' could not be read: .*_meta\.json/)
  })

  it('rejects duplicate pipeline names and a missing path', () => {
    expect(() => new Chariots([isOddPipeline(), isOddPipeline()], { path: dir.path })).toThrow(
      /two pipelines are named 'is_odd'/,
    )
    expect(() => new Chariots([isOddPipeline()])).toThrow(/options.path/)
  })
})
