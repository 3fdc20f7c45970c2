/**
 * The version rule and the pipeline lifecycle through the HTTP routes a user calls, over a real
 * socket: one test for each way ordinary use used to break "a prediction pipeline never serves a
 * model trained on another upstream or on other data". Each runs over every store: the folder
 * store, PostgreSQL, and PostgreSQL with the bytes in S3.
 */
import { fileURLToPath } from 'node:url'
import type { Pipeline } from '@chariots/core'
import { STORE_KINDS, type StoreKit } from '@chariots/testing'
import { InProcessWorkerPool } from '@chariots/workers'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Chariots } from '../src/index.js'
import { type Served, startServe } from './helpers/cli-process.js'
import {
  predictMean,
  predictOnFile,
  predictScaled,
  ScaleA,
  ScaleB,
  trainMean,
  trainOnFile,
  trainScaled,
  writeNumbers,
} from './helpers/lifecycle-ops.js'
import { predict, trainBoth, trainUpstream } from './helpers/ml-pipelines.js'
import { useStoreKits } from './helpers/store-kits.js'
import { type JsonResponse, type Opened, postJson, transports } from './helpers/transports.js'

interface SaveAnswer {
  saved: { mean: { seq: number; version: string } }
  versions: Record<string, string>
}
interface MainAnswer {
  pipeline_output: unknown
  versions: Record<string, string>
}

const http = transports.find((t) => t.name.startsWith('Client (HTTP'))!
const kitOf = useStoreKits()

describe.each(STORE_KINDS)('the lifecycle through HTTP, on the %s store', (kind) => {
  let kit: StoreKit
  const opened: Opened[] = []
  const apps: Chariots[] = []

  beforeEach(async () => {
    kit = await kitOf(kind)
  })
  afterEach(async () => {
    for (const o of opened.splice(0)) await o.close()
    for (const a of apps.splice(0)) await a.close()
  })

  /** Serves a new app (a new process would) on the test's store. */
  async function serve(pipelines: Pipeline[], options: { workers?: boolean } = {}) {
    const app = new Chariots(pipelines, {
      ...(await kit.open()),
      ...(options.workers ? { workerPool: new InProcessWorkerPool() } : {}),
    })
    apps.push(app)
    const o = await http.open(app)
    opened.push(o)
    const post = (path: string, body: unknown = null): Promise<JsonResponse> =>
      o.raw(path, postJson(body as object))
    const call = async (name: string, input: unknown) => {
      const res = await post(`/pipelines/${name}/main`, { pipeline_input: input })
      return { status: res.status, body: await res.json() }
    }
    return { app, raw: o.raw, post, call }
  }

  async function waitJob(post: (path: string, body?: unknown) => Promise<JsonResponse>, jobId: string) {
    for (;;) {
      const job = await (await post('/jobs/fetch/', { job_id: jobId })).json()
      if (job.job_status === 'done' || job.job_status === 'failed') return job
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  it('1. older code comes back: the model trained with that code is served, not the newer one', async () => {
    const a = await serve([trainScaled(ScaleA), predictScaled(ScaleA)])
    expect((await a.call('train', [2, 4])).status).toBe(200) // mean of [2, 4]: 3
    expect((await a.post('/pipelines/train/save')).status).toBe(200)

    const b = await serve([trainScaled(ScaleB), predictScaled(ScaleB)])
    expect((await b.call('train', [2, 4])).status).toBe(200) // mean of [4, 8]: 6
    expect((await b.post('/pipelines/train/save')).status).toBe(200)
    expect((await b.post('/pipelines/predict/load')).status).toBe(200)
    expect((await b.call('predict', [10])).body.pipeline_output).toEqual([14])

    const backToA = await serve([trainScaled(ScaleA), predictScaled(ScaleA)])
    const load = await backToA.post('/pipelines/predict/load')
    expect(load.status).toBe(200)
    expect(await load.json()).toMatchObject({ loaded: true })
    expect((await backToA.call('predict', [10])).body.pipeline_output).toEqual([7])
  })

  it('2. a predict job after the data changed fails VERSION_INCOMPATIBLE, writes nothing, and /load still refuses', async () => {
    const s = await serve([writeNumbers(), trainOnFile(), predictOnFile()], { workers: true })
    await s.call('write_numbers', [1, 2, 3])
    await s.call('train_on_file', null)
    expect((await s.post('/pipelines/train_on_file/save')).status).toBe(200)
    expect((await s.post('/pipelines/predict_on_file/load')).status).toBe(200)
    expect((await s.call('predict_on_file', null)).body.pipeline_output).toEqual([-1, 0, 1])

    await s.call('write_numbers', [10, 20, 30])
    const before = await kit.snapshot()
    const queued = await (await s.post('/pipelines/predict_on_file/main', { use_worker: true })).json()
    const job = await waitJob(s.post, queued.job_id)
    expect(job.job_status).toBe('failed')
    expect(job.error.code).toBe('VERSION_INCOMPATIBLE')
    expect(job.error.message).toContain("upstream node 'numbers'")
    expect(await kit.snapshot()).toEqual(before)

    const load = await s.post('/pipelines/predict_on_file/load')
    expect(load.status).toBe(419)
    expect((await load.json()).error.code).toBe('VERSION_INCOMPATIBLE')
    // A sync call reads the new file too, and refuses to serve the old model on it.
    const sync = await s.call('predict_on_file', null)
    expect(sync.status).toBe(419)
    expect(sync.body.error.code).toBe('VERSION_INCOMPATIBLE')
    expect(sync.body.error.message).toContain("upstream node 'numbers'")

    // Retraining on the new data makes it loadable again.
    await s.call('train_on_file', null)
    await s.post('/pipelines/train_on_file/save')
    expect((await s.post('/pipelines/predict_on_file/load')).status).toBe(200)
    expect((await s.call('predict_on_file', null)).body.pipeline_output).toEqual([-10, 0, 10])
  })

  it('3. the last save wins across two real processes, whichever trained first', async () => {
    const module = fileURLToPath(new URL('./fixtures/mean-app.ts', import.meta.url))
    const env = kit.env
    const servers: Served[] = []
    try {
      const [a, b] = await Promise.all([startServe(module, { env }), startServe(module, { env })])
      servers.push(a!, b!)
      const post = (s: Served, path: string, body: unknown = null) =>
        fetch(`${s.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      await post(a!, '/pipelines/train_mean/main', { pipeline_input: [1, 2, 3] }) // A trains first: mean 2
      await post(b!, '/pipelines/train_mean/main', { pipeline_input: [10, 20, 30] }) // B later: mean 20
      expect((await post(b!, '/pipelines/train_mean/save')).status).toBe(200) // B saves first
      const lastSave = (await (await post(a!, '/pipelines/train_mean/save')).json()) as SaveAnswer // A saves last
      expect(lastSave.saved.mean.seq).toBe(2)

      const c = await startServe(module, { env })
      servers.push(c)
      const predicted = (await (
        await post(c, '/pipelines/predict_mean/main', { pipeline_input: [5] })
      ).json()) as MainAnswer
      expect(predicted.pipeline_output).toEqual([3])
      expect(predicted.versions.mean).toBe(lastSave.saved.mean.version)
    } finally {
      await Promise.all(servers.map((s) => s.stop()))
    }
  }, 90_000)

  it('4. a corrupt saved model never blocks its own retraining; the predictor then loads', async () => {
    const s = await serve([trainMean(), predictMean()])
    await s.call('train_mean', [1, 2, 3])
    await s.post('/pipelines/train_mean/save')
    const { store, saver } = await kit.open()
    const [state] = await store.listStates('mean')
    await saver.save(Buffer.from('not a model'), state!.blob)

    // A fresh server: the predictor cannot load (naming the file), everything else serves.
    const fresh = await serve([trainMean(), predictMean()])
    const health = await fresh.raw('/pipelines/predict_mean/health_check')
    expect(health.status).toBe(419)
    expect((await health.json()).error.message).toContain(state!.blob)
    expect((await fresh.raw('/pipelines/train_mean/health_check')).status).toBe(200)

    expect((await fresh.call('train_mean', [10, 20, 30])).status).toBe(200)
    expect((await fresh.post('/pipelines/train_mean/save')).status).toBe(200)
    expect((await fresh.post('/pipelines/predict_mean/load')).status).toBe(200)
    expect((await fresh.call('predict_mean', [25])).body.pipeline_output).toEqual([5])
  })

  it('5. three prediction jobs leave the store files unchanged, byte for byte and mtime', async () => {
    const s = await serve([trainMean(), predictMean()], { workers: true })
    await s.call('train_mean', [1, 2, 3])
    await s.post('/pipelines/train_mean/save')
    await s.post('/pipelines/predict_mean/load')
    const before = await kit.snapshot()
    for (let i = 0; i < 3; i++) {
      const queued = await (
        await s.post('/pipelines/predict_mean/main', { pipeline_input: [i], use_worker: true })
      ).json()
      expect((await waitJob(s.post, queued.job_id)).pipeline_output).toEqual([i - 2])
    }
    await s.call('predict_mean', [2])
    expect(await kit.snapshot()).toEqual(before)
  })

  it('6. after a refused reload the pipeline answers exactly as before, and health says why', async () => {
    const s = await serve([trainBoth(), trainUpstream(), predict()])
    await s.call('train_both', [1, 2, 3])
    await s.post('/pipelines/train_both/save')
    await s.post('/pipelines/predict/load')
    const before = await s.call('predict', [0, 10, 3])
    expect(before.body.pipeline_output).toEqual([false, true, true])

    // The upstream is retrained alone: no saved downstream was trained on it.
    await s.call('train_upstream', [10, 20, 30])
    await s.post('/pipelines/train_upstream/save')
    const refused = await s.post('/pipelines/predict/load')
    expect(refused.status).toBe(419)
    const error = (await refused.json()).error
    expect(error).toMatchObject({
      code: 'VERSION_INCOMPATIBLE',
      details: { downstream: 'downstreamop', upstream: 'upstreamop', states: 1 },
    })

    // Exactly as before: the same output, the same versions.
    expect(await s.call('predict', [0, 10, 3])).toEqual(before)
    const health = await s.raw('/pipelines/predict/health_check')
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({
      is_loaded: true,
      serving: 'the last good load; a newer load was refused',
      refused: { code: 'VERSION_INCOMPATIBLE', message: error.message },
    })
    const all = await (await s.raw('/health_check?details')).json()
    expect(all.predict).toMatchObject({ loaded: true, refused: { code: 'VERSION_INCOMPATIBLE' } })
    expect(all.train_both).toMatchObject({ loaded: true, refused: null })
    // A pipeline that was never loaded says so instead.
    const never = await serve([trainBoth(), predict()])
    expect((await never.raw('/pipelines/predict/health_check')).status).toBe(419)
  })

  it('7. /load before any training is 200 loaded:false naming the training pipeline; /save before training is 409', async () => {
    const s = await serve([trainMean(), predictMean()])
    const load = await s.post('/pipelines/predict_mean/load')
    expect(load.status).toBe(200)
    const body = await load.json()
    expect(body.loaded).toBe(false)
    expect(body.reason).toBe(
      "pipeline 'predict_mean' is not loaded: node 'mean' has no saved state yet; train and save 'train_mean' first",
    )
    expect((await s.raw('/pipelines/predict_mean/health_check')).status).toBe(419)

    const early = await s.post('/pipelines/train_mean/save')
    expect(early.status).toBe(409)
    expect((await early.json()).error).toMatchObject({
      code: 'NOTHING_TO_SAVE',
      message: expect.stringContaining("run 'train_mean' first, then save it"),
    })
    const predictSave = await s.post('/pipelines/predict_mean/save')
    expect(predictSave.status).toBe(409)
    expect((await predictSave.json()).error.message).toContain("run and save 'train_mean' instead")

    await s.call('train_mean', [1, 2, 3])
    const saved = await (await s.post('/pipelines/train_mean/save')).json()
    expect(saved.saved).toEqual({ mean: { seq: 1, version: saved.versions.mean } })
    // Saving again writes nothing more.
    expect((await (await s.post('/pipelines/train_mean/save')).json()).saved).toEqual({})

    const loaded = await (await s.post('/pipelines/predict_mean/load')).json()
    expect(loaded).toMatchObject({ loaded: true, states: { mean: { seq: 1 } } })
    expect(loaded.versions.mean).toBe(saved.versions.mean)
  })

  it('8. a store opened without reload() serves the saved state', async () => {
    const s = await serve([trainMean(), predictMean()])
    await s.call('train_mean', [1, 2, 3])
    await s.post('/pipelines/train_mean/save')

    const { store, saver } = await kit.open() // never reloaded by hand
    const app = new Chariots([predictMean()], { saver, store })
    apps.push(app)
    const o = await http.open(app)
    opened.push(o)
    const res = await o.raw('/pipelines/predict_mean/main', postJson({ pipeline_input: [5] }))
    expect((await res.json()).pipeline_output).toEqual([3])
    expect(await store.listStates('mean')).toHaveLength(1)
  })
})
