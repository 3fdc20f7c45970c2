// Two `chariots serve` processes and two `chariots worker` processes (two job threads each, so
// six writers in all) on one store root and one Redis, saving and loading at the same time:
// each server loops train → versions → save → load `predict` → predict, while training and
// prediction jobs run in the workers and the test itself reads the store's index in a tight loop
// (a fresh OpStore each time, as a new process would). Models are padded to 1 MB so writes take a
// while; the store keeps its default retention (10 states per node). At the end every
// acknowledged save is its own commit (the save-order numbers run 1..N for N saves: no save was
// lost or merged into another), the index holds exactly the 10 newest of each node, each of them
// the state an acknowledged save reported, with complete bytes, and the bytes of every dropped
// state are gone; every load answered 200 (loaded) or 419 VERSION_INCOMPATIBLE (never a 500);
// every read of the index succeeded and never went back in save order.
// CHARIOTS_RELIABILITY_FULL=1 runs 5 times as many rounds.
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { DEFAULT_KEEP, FileSaver, MLMode, OpStore } from '@chariots/core'
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
import { blobProblems, committedRecords, isTempFile, listing } from './helpers/store-files.js'

const APP = fileURLToPath(new URL('./fixtures/worker-app.ts', import.meta.url))
const FULL = process.env.CHARIOTS_RELIABILITY_FULL === '1'
const SERVER_ROUNDS = FULL ? 300 : 60
const TRAIN_JOBS = FULL ? 300 : 60
const PREDICT_JOBS = FULL ? 150 : 30
const PADDING = 1024 * 1024
const TIME_LIMIT_MS = FULL ? 240_000 : 60_000

type Answer = JsonAnswer | NoAnswer
/**
 * One acknowledged save: a 200 from `/save` (with the save-order number it answered) or a done
 * training job (known by its job id, which the store records as `savedBy`), and the versions it wrote.
 */
type Saved = { by: string; seq: number | null; jobId: string | null; versions: Record<string, string> }
const NODES = ['meanop', 'maxop'] as const

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

  it('no lost save, every load 200 or 419 VersionError, the index always reads, retention keeps the 10 newest', async () => {
    const rnd = seededRandom()
    console.log(`[concurrent-stores] seed ${rnd.seed}`)
    const deadline = Date.now() + TIME_LIMIT_MS
    const trainingSet = () => Array.from({ length: 4 }, () => rnd.int(-1_000, 1_000))
    const saved: Saved[] = []
    const loads: { by: string; answer: Answer }[] = []
    const predictions: { by: string; answer: Answer }[] = []
    const otherFailures: { by: string; step: string; answer: Answer }[] = []
    const trainJob = async (server: ServerProcess, by: string) => {
      const call = await callPipeline(server.url, 'train', trainingSet(), true)
      const end = call.status === 200 ? await waitJob(server.url, call.body.job_id, 60_000) : call
      if (end.body?.job_status === 'done') {
        saved.push({ by, seq: null, jobId: call.body.job_id, versions: end.body.versions })
      } else otherFailures.push({ by, step: 'train job', answer: end })
    }

    // One training saved first, so `predict` has models from the start.
    await trainJob(servers[0]!, 'first job')
    expect(otherFailures).toEqual([])

    let writersDone = false
    let indexReads = 0
    let newestSeen = 0
    const readProblems: string[] = []
    const reader = (async () => {
      while (!writersDone && Date.now() < deadline) {
        try {
          const store = new OpStore(new FileSaver(dir))
          const [mean, max] = await Promise.all(NODES.map((n) => store.listStates(n)))
          const newest = mean!.at(-1)?.seq ?? 0
          if (newest < newestSeen) readProblems.push(`went back from seq ${newestSeen} to ${newest}`)
          if (mean!.length > DEFAULT_KEEP || max!.length > DEFAULT_KEEP)
            readProblems.push(`${mean!.length} meanop and ${max!.length} maxop states kept`)
          newestSeen = Math.max(newestSeen, newest)
          indexReads++
        } catch (err) {
          readProblems.push((err as Error).message)
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
        const { meanop, maxop } = save.body?.saved ?? {}
        // A save answers what it wrote: both models, under one save-order number, the versions trained.
        if (
          save.status === 200 &&
          Number.isInteger(meanop?.seq) &&
          meanop.seq === maxop?.seq &&
          meanop.version === versions.body.meanop &&
          maxop.version === versions.body.maxop
        ) {
          saved.push({
            by,
            seq: meanop.seq,
            jobId: null,
            versions: { meanop: meanop.version, maxop: maxop.version },
          })
        } else otherFailures.push({ by, step: 'save', answer: save })
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
        if (kind === 'train') return trainJob(server, 'worker')
        const call = await callPipeline(server.url, kind, [50], true)
        const end = call.status === 200 ? await waitJob(server.url, call.body.job_id, 60_000) : call
        const job = end.body
        if (job?.job_status === 'done') {
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
    expect(saved).toHaveLength(1 + 2 * SERVER_ROUNDS + TRAIN_JOBS)

    // Every load answered 200 with the pipeline loaded, or 419 VersionError, never anything else.
    const badLoads = loads.filter(
      ({ answer }) =>
        !(
          (answer.status === 200 && answer.body?.loaded === true) ||
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

    // No lost save: each acknowledged save committed under its own save-order number, 1..N.
    const records = await committedRecords(dir)
    const lastSeq = Math.max(...records.map((r) => r.seq))
    expect(lastSeq).toBe(saved.length)
    const answeredSeqs = saved.flatMap((s) => (s.seq === null ? [] : [s.seq]))
    expect(new Set(answeredSeqs).size).toBe(answeredSeqs.length)
    // Retention: exactly the 10 newest commits of each node are kept...
    const window = Array.from({ length: DEFAULT_KEEP }, (_, i) => lastSeq - DEFAULT_KEEP + 1 + i)
    for (const node of NODES) expect(records.filter((r) => r.node === node).map((r) => r.seq)).toEqual(window)
    // ...each one the state an acknowledged save reported (by its seq, or a job by its id)...
    const ackOf = (r: (typeof records)[number]) =>
      r.savedBy?.startsWith('job ')
        ? saved.find((s) => s.jobId === r.savedBy!.slice(4))
        : saved.find((s) => s.seq === r.seq)
    const unacknowledged = records.filter((r) => ackOf(r)?.versions[r.node] !== r.version)
    expect(unacknowledged).toEqual([])
    // ...and every save the server answered within that window is there with its versions.
    const lost = saved.filter(
      (s) =>
        s.seq !== null &&
        s.seq > lastSeq - DEFAULT_KEEP &&
        !NODES.every((n) =>
          records.some((r) => r.node === n && r.seq === s.seq && r.version === s.versions[n]),
        ),
    )
    expect(lost).toEqual([])

    // The kept states have their complete bytes, and each model file loads (a truncated one fails
    // its length check); the bytes of every dropped state were deleted; nothing temporary is left.
    expect(await blobProblems(dir, records)).toEqual([])
    const complete = await mapLimit(records, 16, async (r) => {
      const model = r.node === 'meanop' ? new MeanOp(MLMode.PREDICT) : new MaxOp(MLMode.PREDICT)
      return model.load(await readFile(join(dir, r.blob))).then(
        () => true,
        () => false,
      )
    })
    expect(records.filter((_, i) => !complete[i])).toEqual([])
    const files = await listing(dir)
    expect(files.filter((f) => f.startsWith('models/'))).toEqual(
      [...new Set(records.map((r) => r.blob.slice(1)))].sort(),
    )
    expect(files.filter(isTempFile)).toEqual([])
    expect(files.filter((f) => f.startsWith('.locks/'))).toEqual([])
    expect(existsSync(join(dir, '_meta.json'))).toBe(false)

    // The readers always read an index, and never saw the save order go back.
    expect(readProblems).toEqual([])
    expect(indexReads).toBeGreaterThan(100)
    const distinct = new Set(saved.map((s) => s.versions.meanop)).size
    console.log(
      `[concurrent-stores] ${seconds.toFixed(1)} s: ${saved.length} saves (${distinct} distinct meanop versions, seq 1..${lastSeq}, the newest ${DEFAULT_KEEP} kept), ${loads.length} loads (${loads.filter((l) => l.answer.status === 200).length} × 200, ${loads.filter((l) => l.answer.status === 419).length} × 419), ${predictions.length} predictions, ${indexReads} index reads, 0 problems`,
    )
  })
})
