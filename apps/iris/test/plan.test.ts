// The retrain planner on the iris app over real HTTP: GET /pipelines/:name/plan, the plan in 419
// bodies, POST /pipelines/:name/plan/run, the registry of saved states and the graph's colours.
import { setTimeout as sleep } from 'node:timers/promises'
import { Client } from '@chariots/server/client'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type ServedIris, serveIris } from './helpers/dashboard-app.js'

const get = async (url: string) => {
  const res = await fetch(url)
  return { status: res.status, body: (await res.json()) as any }
}
const post = async (url: string, body: unknown = null) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as any }
}

/** Runs the plan of `name` and waits for the run to end. */
async function runPlan(url: string, name: string) {
  const started = await post(`${url}/pipelines/${name}/plan/run`)
  expect(started.status).toBe(202)
  for (;;) {
    const { body } = await get(`${url}/pipelines/${name}/plan/run`)
    if (body.status !== 'running') return body
    await sleep(50)
  }
}

describe('the retrain planner on the iris app', () => {
  let served: ServedIris
  let client: Client
  beforeEach(async () => {
    served = await serveIris()
    client = new Client(served.url)
  })
  afterEach(async () => {
    await served.close()
  })

  it('on a fresh store, plans download_iris (the missing data file) then train_iris; running it makes pred_iris loadable', async () => {
    const plan = (await get(`${served.url}/pipelines/pred_iris/plan`)).body
    expect(plan).toMatchObject({
      pipeline: 'pred_iris',
      loadable: false,
      retrain: ['train_iris'],
      unplannable: [],
    })
    expect(plan.steps.map((s: any) => [s.pipeline, s.kind])).toEqual([
      ['download_iris', 'data'],
      ['train_iris', 'train'],
    ])
    expect(plan.missing.map((m: any) => m.node)).toEqual(['pca', 'random_forest'])

    // A call of the prediction pipeline is refused with 419, and the body carries the same plan.
    const refused = await post(`${served.url}/pipelines/pred_iris/main`, { pipeline_input: [[1, 2, 3, 4]] })
    expect(refused.status).toBe(419)
    expect(refused.body.error.code).toBe('PIPELINE_NOT_LOADED')
    expect(refused.body.error.details.plan).toEqual(plan)

    const run = await runPlan(served.url, 'pred_iris')
    expect(run).toMatchObject({ status: 'done', error: null, load: { loaded: true } })
    expect(run.steps.map((s: any) => [s.pipeline, s.jobStatus])).toEqual([
      ['download_iris', 'done'],
      ['train_iris', 'done'],
    ])
    expect((await client.callPipeline('pred_iris', [[5.1, 3.5, 1.4, 0.2]])).value).toEqual(['setosa'])
    expect((await get(`${served.url}/pipelines/pred_iris/plan`)).body).toMatchObject({
      loadable: true,
      retrain: [],
    })
  })

  it('after retraining the PCA alone, the forest is stale: the plan names train_iris, /load answers 419 with it, the graph shows the link red', async () => {
    await client.callPipeline('download_iris')
    await client.callPipeline('train_iris')
    await client.savePipeline('train_iris')
    await client.loadPipeline('pred_iris')
    await client.callPipeline('train_pca')
    await client.savePipeline('train_pca')

    const plan = (await get(`${served.url}/pipelines/pred_iris/plan`)).body
    expect(plan.loadable).toBe(false)
    expect(plan.retrain).toEqual(['train_iris'])
    expect(plan.stale).toEqual([
      {
        node: 'random_forest',
        upstream: 'pca',
        trainedWith: expect.any(String),
        current: expect.any(String),
      },
    ])
    const load = await post(`${served.url}/pipelines/pred_iris/load`)
    expect(load.status).toBe(419)
    expect(load.body.error).toMatchObject({
      code: 'VERSION_INCOMPATIBLE',
      details: { downstream: 'random_forest', plan },
    })
    // The refused load left the last good one serving.
    expect((await client.callPipeline('pred_iris', [[5.1, 3.5, 1.4, 0.2]])).value).toEqual(['setosa'])

    const graph = (await get(`${served.url}/pipelines/pred_iris/graph`)).body
    expect(graph).toMatchObject({ pipeline: 'pred_iris', loadable: false, serving: true })
    expect(graph.links.find((l: any) => l.from === 'pca' && l.to === 'random_forest').status).toBe('stale')
    const svg = await (await fetch(`${served.url}/pipelines/pred_iris/graph?format=svg`)).text()
    expect(svg).toMatch(
      /<path class="link link-stale" data-from="pca" data-to="random_forest"[^>]*stroke="#d32f2f"/,
    )

    const run = await runPlan(served.url, 'pred_iris')
    expect(run.status).toBe('done')
    const after = (await get(`${served.url}/pipelines/pred_iris/graph`)).body
    expect(after.links.find((l: any) => l.from === 'pca' && l.to === 'random_forest').status).toBe('valid')
  })

  it('lists a node’s saved states: version, save order, when, by whom, and the upstream versions it was trained on', async () => {
    await client.callPipeline('download_iris')
    await client.callPipeline('train_iris')
    await client.savePipeline('train_iris')
    const { jobId } = await client.callPipeline('train_iris_async')
    await client.waitForJob(jobId!, 'train_iris_async', { timeoutMs: 30_000 })
    await client.loadPipeline('pred_iris')

    const { status, body } = await get(`${served.url}/pipelines/pred_iris/nodes/random_forest/states`)
    expect(status).toBe(200)
    expect(body).toMatchObject({ pipeline: 'pred_iris', node: 'random_forest', status: 'ok' })
    expect(body.states.map((s: any) => [s.savedBy, s.savedByPipeline])).toEqual([
      ['POST /pipelines/train_iris/save', 'train_iris'],
      [`job ${jobId}`, 'train_iris_async'],
    ])
    const [first, second] = body.states
    expect(second.seq).toBeGreaterThan(first.seq)
    expect(Object.keys(second.lineage)).toEqual(expect.arrayContaining(['pca', 'load_iris.csv', 'xy_split']))
    expect([first.fits, second.fits]).toEqual([false, true]) // the first was trained on the first PCA
    expect([first.serving, second.serving]).toEqual([false, true])
    expect(body.serving).toBe(second.seq)
    expect(new Date(second.savedAt).getTime()).toBeGreaterThan(Date.now() - 60_000)

    const unknown = await get(`${served.url}/pipelines/pred_iris/nodes/nope/states`)
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.message).toBe(
      "pipeline 'pred_iris' has no node 'nope'; its nodes: pca, random_forest, species",
    )
  })
})
