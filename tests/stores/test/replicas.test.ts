// Replicas in step: servers of one app on one store, each its own Chariots app served over HTTP,
// announcing through PostgreSQL (LISTEN/NOTIFY) or, beside the folder store, Redis pub/sub. A /load on one reaches the others before it answers; a server that cannot load the
// same states stops serving rather than answer from another generation; with auto-reload, a
// training job's save reloads the others.
import { BaseOp, MLMode, MLOp, Node, Pipeline, ReservedNodes, VersionType, versioned } from '@chariots/core'
import { Chariots, storeFromEnv } from '@chariots/server'
import { type RunningRedis, type StoreKit, startRedis } from '@chariots/testing'
import { InProcessWorkerPool } from '@chariots/workers'
import { type ServerType, serve } from '@hono/node-server'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { useStoreKits } from './helpers/store-kits.js'

const { pipelineInput: IN, pipelineOutput: OUT } = ReservedNodes
const kitOf = useStoreKits()

class MeanOp extends MLOp<number> {
  static override opName = 'mean'
  initModel() {
    return 0
  }
  fit(xs: number[]) {
    this.model = xs.reduce((a, b) => a + b, 0) / xs.length
  }
  predict(xs: number[]) {
    return xs.map((x) => x - this.model)
  }
}

/** An upstream op; code B changed its major field. */
const scales = {
  A: class extends BaseOp {
    static override opName = 'scale'
    static factor = versioned(1, VersionType.MAJOR)
    execute(xs: number[]) {
      return xs
    }
  },
  B: class extends BaseOp {
    static override opName = 'scale'
    static factor = versioned(2, VersionType.MAJOR)
    execute(xs: number[]) {
      return xs.map((x) => 2 * x)
    }
  },
}

function pipelines(code: 'A' | 'B') {
  const Scale = scales[code]
  return [
    new Pipeline(
      [
        new Node(new Scale(), { inputNodes: [IN], outputNodes: 'scaled' }),
        new Node(new MeanOp(MLMode.FIT), { inputNodes: ['scaled'] }),
      ],
      'train',
    ),
    new Pipeline(
      [
        new Node(new Scale(), { inputNodes: [IN], outputNodes: 'scaled' }),
        new Node(new MeanOp(MLMode.PREDICT), { inputNodes: ['scaled'], outputNodes: OUT }),
      ],
      'predict',
    ),
  ]
}

let redis: RunningRedis
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(async () => {
  await redis?.stop()
})

const setups = [
  { name: 'the PostgreSQL store, announcing with LISTEN/NOTIFY', kind: 'postgres', redis: false },
  { name: 'the folder store, announcing with Redis pub/sub', kind: 'folder', redis: true },
] as const

describe.each(setups)('servers of one app on $name', (setup) => {
  const closers: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    while (closers.length > 0) await closers.pop()!()
  })
  const kitOfSetup = () => kitOf(setup.kind)

  async function server(
    kit: StoreKit,
    code: 'A' | 'B',
    options: { autoReload?: boolean; redisUrl?: string } = {},
  ) {
    const env = { ...kit.env, ...(setup.redis ? { CHARIOTS_ANNOUNCE: options.redisUrl ?? redis.url } : {}) }
    const app = new Chariots(pipelines(code), {
      ...(await storeFromEnv({ env })),
      workerPool: new InProcessWorkerPool(),
      ...(options.autoReload ? { autoReload: true } : {}),
    })
    await app.ready()
    const http = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    closers.push(() => app.close())
    closers.push(() => new Promise((r) => http.close(r)))
    const url = `http://127.0.0.1:${(http.address() as { port: number }).port}`
    const post = async (path: string, body: unknown = {}) => {
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      return { status: res.status, body: (await res.json()) as any }
    }
    return {
      post,
      get: async (path: string) => (await fetch(`${url}${path}`)).status,
      predict: () => post('/pipelines/predict/main', { pipeline_input: [10] }),
    }
  }

  it('a /load on one server has every server serve the same states when it answers', async () => {
    const kit = await kitOfSetup()
    const [a, b, c] = [await server(kit, 'A'), await server(kit, 'A'), await server(kit, 'A')]
    await a.post('/pipelines/train/main', { pipeline_input: [2, 4] })
    await a.post('/pipelines/train/save')
    const first = await a.post('/pipelines/predict/load')
    expect(first.body).toMatchObject({ loaded: true, in_step: true })
    expect(first.body.replicas.map((r: { status: string }) => r.status)).toEqual(['loaded', 'loaded'])
    for (const s of [a, b, c]) expect((await s.predict()).body.pipeline_output).toEqual([7])

    // Retrained on another server; until a /load, every server serves the first generation...
    await b.post('/pipelines/train/main', { pipeline_input: [20, 40] })
    await b.post('/pipelines/train/save')
    for (const s of [a, b, c]) expect((await s.predict()).body.pipeline_output).toEqual([7])
    // ...and once the /load through c has answered, every one serves the second.
    const second = await c.post('/pipelines/predict/load')
    expect(second.body).toMatchObject({ in_step: true, states: { mean: { seq: 2 } } })
    for (const r of second.body.replicas)
      expect(r).toMatchObject({ status: 'loaded', states: second.body.states })
    for (const s of [a, b, c]) expect((await s.predict()).body.pipeline_output).toEqual([-20])
  })

  it('a server whose code cannot load the announced states stops serving it, and says why', async () => {
    const kit = await kitOfSetup()
    const a = await server(kit, 'A')
    const other = await server(kit, 'B')
    await other.post('/pipelines/train/main', { pipeline_input: [2, 4] }) // code B: mean 6
    await other.post('/pipelines/train/save')
    expect((await other.post('/pipelines/predict/load')).body.loaded).toBe(true)
    expect((await other.predict()).body.pipeline_output).toEqual([14])

    await a.post('/pipelines/train/main', { pipeline_input: [2, 4] }) // code A: mean 3
    await a.post('/pipelines/train/save')
    const load = await a.post('/pipelines/predict/load')
    expect(load.status).toBe(200)
    expect(load.body.in_step).toBe(false)
    expect(load.body.replicas).toEqual([
      expect.objectContaining({
        status: 'refused',
        error: expect.objectContaining({ code: 'VERSION_INCOMPATIBLE' }),
      }),
    ])
    // Rather than answer from its own (code B) generation beside code A's, it stops serving.
    const refused = await other.predict()
    expect(refused.status).toBe(419)
    expect(refused.body.error.message).toContain('stopped serving')
    expect(await other.get('/pipelines/predict/health_check')).toBe(419)
    expect((await a.predict()).body.pipeline_output).toEqual([7])
  })

  it('with auto-reload, a training job saved on one server reloads the others', async () => {
    const kit = await kitOfSetup()
    const a = await server(kit, 'A', { autoReload: true })
    const b = await server(kit, 'A', { autoReload: true })
    await a.post('/pipelines/train/main', { pipeline_input: [2, 4] })
    await a.post('/pipelines/train/save')
    await a.post('/pipelines/predict/load')
    expect((await b.predict()).body.pipeline_output).toEqual([7])

    const job = await a.post('/pipelines/train/main', { pipeline_input: [20, 40], use_worker: true })
    expect(job.body.job_status).toBe('queued')
    const deadline = Date.now() + 10_000
    let seen: unknown
    while (Date.now() < deadline) {
      seen = (await b.predict()).body.pipeline_output
      if (JSON.stringify(seen) === '[-20]') break
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(seen).toEqual([-20])
  })

  // PostgreSQL down is the multi-host test's; here the announcer alone goes away.
  const redisOnly = setup.redis ? it : () => undefined
  redisOnly(
    'with the announcer down, /load still loads here and answers that it is not in step',
    async () => {
      const own = await startRedis()
      closers.push(() => own.stop())
      const kit = await kitOfSetup()
      const a = await server(kit, 'A', { redisUrl: own.url })
      await a.post('/pipelines/train/main', { pipeline_input: [2, 4] })
      await a.post('/pipelines/train/save')
      await own.stop()
      const load = await a.post('/pipelines/predict/load')
      expect(load.status).toBe(200)
      expect(load.body).toMatchObject({ loaded: true, in_step: false })
      expect(load.body.replicas).toEqual([
        expect.objectContaining({
          status: 'timeout',
          error: expect.objectContaining({
            code: 'BACKEND_UNAVAILABLE',
            message: expect.stringContaining('not announced'),
          }),
        }),
      ])
      expect((await a.predict()).body.pipeline_output).toEqual([7])
    },
  )
})
