// The three stores side by side in one run: the folder store, PostgreSQL (bytes in bytea), and
// PostgreSQL with the bytes in S3 (s3rver). For each: saving the iris models (one saver, then 8
// concurrent savers, each a store object of its own as 8 servers would have), loading the iris
// prediction pipeline from a fresh store object, and saving and loading a 50 MB model. Prints
// saves/s (loads/s), p50 and p99 per store and the ratios to the folder store. PostgreSQL runs
// durable (fsync on), as the folder store syncs every write.
// Run: `node bench/store/store.bench.mjs [--json] [--saves N] [--loads N] [--big N]`.
import { randomBytes } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { SequentialRunner } from '@chariots/core'
import { createStoreKit, STORE_KINDS, startPostgres, startS3 } from '@chariots/testing'
import { irisPredictionPipeline, irisTrainingPipeline } from '../iris-ops.mjs'

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]
}

/** The iris models' states, trained once: what a training's save writes. */
async function irisStates() {
  const train = irisTrainingPipeline()
  await new SequentialRunner().run(train)
  const states = []
  for (const node of train.allNodes().filter((n) => n.loadableOp?.state?.changed)) {
    const op = node.loadableOp
    states.push({
      node: node.name,
      version: op.state.version.toString(),
      codeVersion: null,
      lineage: op.state.lineage,
      bytes: await op.serialize(),
      pipeline: 'train_iris',
    })
  }
  return states
}

/**
 * Each save's states with bytes of their own (the models plus a unique tail), so content
 * addressing never dedupes them: a retraining writes new bytes. Not loadable as models.
 */
function fresh(states, i) {
  return states.map((s) => {
    const bytes = Buffer.from(s.bytes)
    return { ...s, bytes: Buffer.concat([bytes, Buffer.from(` ${i} ${Math.random()}`)]) }
  })
}

async function timed(fn) {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

function summary(samples, wallMs) {
  return {
    n: samples.length,
    perSecond: (samples.length / wallMs) * 1000,
    p50Ms: quantile(samples, 0.5),
    p99Ms: quantile(samples, 0.99),
  }
}

export async function runStoreBench({ saves = 40, loads = 30, big = 4, concurrent = 8, log } = {}) {
  const [postgres, s3] = await Promise.all([startPostgres(), startS3()])
  const kits = []
  try {
    const iris = await irisStates()
    const bigModel = randomBytes(50 * 2 ** 20)
    const results = []
    for (const kind of STORE_KINDS) {
      const kit = await createStoreKit(kind, { postgres, s3 })
      kits.push(kit)
      const { store } = await kit.open()
      const row = { store: kind }

      let samples = []
      let wall = await timed(async () => {
        for (let i = 0; i < saves; i++) samples.push(await timed(() => store.saveStates(fresh(iris, i))))
      })
      row.irisSave = summary(samples, wall)

      const savers = await Promise.all(Array.from({ length: concurrent }, () => kit.open()))
      samples = []
      const each = Math.ceil(saves / 2)
      wall = await timed(() =>
        Promise.all(
          savers.map(async ({ store: s }, k) => {
            for (let i = 0; i < each; i++)
              samples.push(await timed(() => s.saveStates(fresh(iris, 1000 * (k + 1) + i))))
          }),
        ),
      )
      row.irisSave8 = summary(samples, wall)

      // The saves above wrote unique (unloadable) bytes; the newest states are the real models.
      await store.saveStates(iris)
      samples = []
      wall = await timed(async () => {
        for (let i = 0; i < loads; i++) {
          const { store: s } = await kit.open()
          const pred = irisPredictionPipeline()
          samples.push(
            await timed(async () => {
              const outcome = await pred.load(s)
              if (!outcome.loaded) throw new Error(`${kind}: the iris prediction pipeline did not load`)
            }),
          )
          await s.close?.()
        }
      })
      row.irisLoad = summary(samples, wall)

      const bigSamples = []
      const records = []
      wall = await timed(async () => {
        for (let i = 0; i < big; i++) {
          bigModel.writeUInt32BE(i, 0)
          const state = { node: 'big', version: `big-${i}`, codeVersion: null, lineage: {}, bytes: bigModel }
          bigSamples.push(await timed(async () => records.push(...(await store.saveStates([state])))))
        }
      })
      row.bigSave = summary(bigSamples, wall)
      samples = []
      wall = await timed(async () => {
        for (let i = 0; i < big; i++) {
          const { store: s } = await kit.open()
          samples.push(
            await timed(async () => {
              const [latest] = (await s.listStates('big')).slice(-1)
              const bytes = await s.readState(latest)
              if (bytes.byteLength !== bigModel.byteLength) throw new Error(`${kind}: short read`)
            }),
          )
          await s.close?.()
        }
      })
      row.bigLoad = summary(samples, wall)
      results.push(row)
      log?.(`${kind} done`)
    }
    const file = results[0]
    const ratios = results.slice(1).map((r) => ({
      store: r.store,
      ...Object.fromEntries(
        ['irisSave', 'irisSave8', 'irisLoad', 'bigSave', 'bigLoad'].map((k) => [
          k,
          r[k].p50Ms / file[k].p50Ms,
        ]),
      ),
    }))
    return { node: process.version, saves, loads, big, concurrent, results, p50VsFolder: ratios }
  } finally {
    for (const kit of kits) await kit.dispose().catch(() => undefined)
    await Promise.all([postgres.stop(), s3.stop()])
  }
}

export function formatStoreBench(f) {
  const workloads = [
    ['irisSave', `iris models, 1 saver (${f.saves} saves)`, 'saves/s'],
    ['irisSave8', `iris models, ${f.concurrent} concurrent savers`, 'saves/s'],
    ['irisLoad', `iris prediction pipeline load, fresh store (${f.loads})`, 'loads/s'],
    ['bigSave', `50 MB model save (${f.big})`, 'saves/s'],
    ['bigLoad', `50 MB model read, fresh store (${f.big})`, 'loads/s'],
  ]
  const rows = [['workload', 'store', 'per s', 'p50 ms', 'p99 ms', 'p50 x folder']]
  for (const [key, label, unit] of workloads) {
    const base = f.results[0][key].p50Ms
    for (const r of f.results) {
      const s = r[key]
      rows.push([
        r.store === 'folder' ? label : '',
        r.store,
        `${s.perSecond.toFixed(1)} ${unit}`,
        s.p50Ms.toFixed(1),
        s.p99Ms.toFixed(1),
        (s.p50Ms / base).toFixed(2),
      ])
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)))
  const line = (row) =>
    row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')
  return [
    `store: folder vs PostgreSQL vs PostgreSQL + S3 (s3rver), side by side, node ${f.node}`,
    ...rows.map(line),
  ].join('\n')
}

function option(name, fallback) {
  const i = process.argv.indexOf(name)
  return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  const figures = await runStoreBench({
    saves: option('--saves', 40),
    loads: option('--loads', 30),
    big: option('--big', 4),
    log: (l) => console.error(l),
  })
  console.log(formatStoreBench(figures))
  if (process.argv.includes('--json')) console.log(JSON.stringify({ bench: 'store', ...figures }))
}
