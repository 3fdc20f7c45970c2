// Two `chariots serve` processes and two `chariots worker` processes (two job threads each, so
// six writers in all) on one store root and one Redis, saving and loading at the same time:
// each server loops train → versions → save → load `predict` → predict, while training and
// prediction jobs run in the workers and the test itself re-reads `_meta.json` in a tight loop.
// Models are padded to 1 MB so writes take a while. At the end every version a save reported
// saved is linked in `_meta.json` (no save lost another's links) with its complete model file,
// every load answered 200 or 419 VERSION_INCOMPATIBLE (never a 500 or a parse error), and
// `_meta.json` parsed at every read. CHARIOTS_RELIABILITY_FULL=1 runs 5 times as many rounds.
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { MLMode } from '@chariots/core'
import { type RunningRedis, startRedis } from '@chariots/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ChariotsProcess,
  type ServerProcess,
  startServer,
  startWorker,
} from './helpers/chariots-process.js'
import {
  callPipeline,
  type JsonAnswer,
  mapLimit,
  type NoAnswer,
  requestJson,
  waitJob,
} from './helpers/http-json.js'
import { MaxOp, MeanOp } from './helpers/model-pipelines.js'
import { seededRandom } from './helpers/seeded-random.js'

const APP = fileURLToPath(new URL('./fixtures/worker-app.ts', import.meta.url))
const FULL = process.env.CHARIOTS_RELIABILITY_FULL === '1'
const SERVER_ROUNDS = FULL ? 300 : 60
const TRAIN_JOBS = FULL ? 300 : 60
const PREDICT_JOBS = FULL ? 150 : 30
const PADDING = 1024 * 1024
const TIME_LIMIT_MS = FULL ? 240_000 : 60_000

type Answer = JsonAnswer | NoAnswer
/** The versions one successful save wrote: node name → version string. */
type Saved = { by: string; versions: Record<string, string> }

describe('two servers and two workers saving and loading concurrently on one store and one Redis', () => {
  let redis: RunningRedis
  let dir: string
  let servers: ServerProcess[]
  const processes: ChariotsProcess[] = []

  beforeAll(async () => {
    redis = await startRedis()
    dir = await mkdtemp(join(tmpdir(), 'chariots-concurrent-stores-'))
    const env = {
      CHARIOTS_TEST_PATH: dir,
      CHARIOTS_TEST_REDIS_URL: redis.url,
      CHARIOTS_TEST_QUEUE: `stores-${randomUUID()}`,
      MODEL_PADDING_BYTES: String(PADDING),
    }
    const started = await Promise.all([
      startServer(APP, env),
      startServer(APP, env),
      startWorker(APP, env, 2),
      startWorker(APP, env, 2),
    ])
    servers = [started[0], started[1]]
    processes.push(...started)
  }, 60_000)

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()))
    await redis?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  }, 60_000)

  it('no lost links, every load 200 or 419 VersionError, _meta.json always parses', async () => {
    const rnd = seededRandom()
    console.log(`[concurrent-stores] seed ${rnd.seed}`)
    const deadline = Date.now() + TIME_LIMIT_MS
    const trainingSet = () => Array.from({ length: 4 }, () => rnd.int(-1_000, 1_000))
    const saved: Saved[] = []
    const loads: { by: string; answer: Answer }[] = []
    const predictions: { by: string; answer: Answer }[] = []
    const otherFailures: { by: string; step: string; answer: Answer }[] = []

    // One training saved first, so `predict` has models from the start.
    const first = await callPipeline(servers[0]!.url, 'train', trainingSet(), true)
    expect((await waitJob(servers[0]!.url, first.body.job_id, 30_000)).body.job_status).toBe('done')

    let writersDone = false
    let metaReads = 0
    const metaErrors: string[] = []
    const reader = (async () => {
      while (!writersDone && Date.now() < deadline) {
        try {
          JSON.parse(await readFile(join(dir, '_meta.json'), 'utf8'))
          metaReads++
        } catch (err) {
          metaErrors.push((err as Error).message)
        }
        await sleep(2)
      }
    })()

    const serverLoop = async (server: ServerProcess, by: string) => {
      for (let round = 0; round < SERVER_ROUNDS && Date.now() < deadline; round++) {
        const trained = await callPipeline(server.url, 'train', trainingSet())
        if (trained.status !== 200) otherFailures.push({ by, step: 'train', answer: trained })
        const versions = await requestJson(server.url, '/pipelines/train/versions', null)
        const save = await requestJson(server.url, '/pipelines/train/save', null)
        if (save.status === 200) saved.push({ by, versions: versions.body })
        else otherFailures.push({ by, step: 'save', answer: save })
        const load = await requestJson(server.url, '/pipelines/predict/load', null)
        loads.push({ by, answer: load })
        if (load.status === 200)
          predictions.push({ by, answer: await callPipeline(server.url, 'predict', [50]) })
      }
    }
    const jobs = async () => {
      const kinds = [
        ...Array.from({ length: TRAIN_JOBS }, () => 'train' as const),
        ...Array.from({ length: PREDICT_JOBS }, () => 'predict' as const),
      ].sort(() => rnd.next() - 0.5)
      await mapLimit(kinds, 4, async (kind, i) => {
        if (Date.now() > deadline) return
        const server = servers[i % 2]!
        const input = kind === 'train' ? trainingSet() : [50]
        const call = await callPipeline(server.url, kind, input, true)
        const end = call.status === 200 ? await waitJob(server.url, call.body.job_id, 60_000) : call
        const job = end.body
        if (kind === 'train') {
          if (job?.job_status === 'done') saved.push({ by: 'worker', versions: job.versions })
          else otherFailures.push({ by: 'worker', step: 'train job', answer: end })
        } else if (job?.job_status === 'done') {
          predictions.push({
            by: 'worker',
            answer: { ...end, body: { pipeline_output: job.pipeline_output } },
          })
        } else {
          // A job loads `predict` itself: its load may fail only with the version rule.
          loads.push({
            by: 'worker',
            answer: { ...end, status: job?.error?.code === 'VERSION_INCOMPATIBLE' ? 419 : 500 },
          })
        }
      })
    }
    const t0 = performance.now()
    try {
      await Promise.all([serverLoop(servers[0]!, 'server A'), serverLoop(servers[1]!, 'server B'), jobs()])
    } finally {
      writersDone = true
      await reader
    }
    const seconds = (performance.now() - t0) / 1000

    expect(otherFailures).toEqual([])
    expect(Date.now()).toBeLessThan(deadline) // every round ran within the time limit
    expect(saved).toHaveLength(2 * SERVER_ROUNDS + TRAIN_JOBS)

    // Every load answered 200 or 419 VersionError, never anything else.
    const badLoads = loads.filter(
      ({ answer }) =>
        !(
          answer.status === 200 ||
          (answer.status === 419 && answer.body?.error?.code === 'VERSION_INCOMPATIBLE')
        ),
    )
    expect(badLoads).toEqual([])
    expect(loads.length).toBeGreaterThanOrEqual(2 * SERVER_ROUNDS)
    // What a successful load serves is a model pair: the prediction has its shape.
    const badPredictions = predictions.filter(
      ({ answer }) =>
        answer.status !== 200 ||
        answer.body.pipeline_output?.centered?.length !== 1 ||
        typeof answer.body.pipeline_output?.max !== 'number',
    )
    expect(badPredictions).toEqual([])

    // No lost links: every saved version is linked, and its model file is complete.
    const meta = JSON.parse(await readFile(join(dir, '_meta.json'), 'utf8'))
    const lost = saved.filter(
      ({ versions }) =>
        !meta.maxop?.meanop?.includes(versions.meanop) ||
        !meta.__end_of_pipe__?.maxop?.includes(versions.maxop),
    )
    expect(lost).toEqual([])
    const linked = [
      ...meta.maxop.meanop.map((v: string) => ['meanop', v]),
      ...meta.__end_of_pipe__.maxop.map((v: string) => ['maxop', v]),
    ] as [string, string][]
    // Each linked model file loads (a truncated one fails its length check).
    const complete = await mapLimit(linked, 16, async ([op, v]) => {
      const model = op === 'meanop' ? new MeanOp(MLMode.PREDICT) : new MaxOp(MLMode.PREDICT)
      return model.load(await readFile(join(dir, 'models', op, v))).then(
        () => true,
        () => false,
      )
    })
    const truncated = linked.filter((_, i) => !complete[i])
    expect(truncated).toEqual([])

    // The readers never saw a half-written metadata file.
    expect(metaErrors).toEqual([])
    expect(metaReads).toBeGreaterThan(100)
    const distinct = new Set(saved.map((s) => s.versions.meanop)).size
    console.log(
      `[concurrent-stores] ${seconds.toFixed(1)} s: ${saved.length} saves (${distinct} distinct meanop versions, all linked), ${loads.length} loads (${loads.filter((l) => l.answer.status === 200).length} × 200, ${loads.filter((l) => l.answer.status === 419).length} × 419), ${predictions.length} predictions, ${metaReads} reads of _meta.json, 0 parse errors`,
    )
  })
})
