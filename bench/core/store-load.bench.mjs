// Loading a prediction pipeline (two ML ops: mean upstream, scale downstream) from a folder store
// holding 1 saved version of each node, 1,000 versions (retention off), and the same 1,000 after a
// prune to 10, side by side. Each load is `pipeline.load(store)` on a fresh FileSaver + OpStore and a
// fresh prediction pipeline, as a new process would load; variants alternate in rounds; figures are
// medians (p50) of every load. The stores are built through the public API: real trainings saved
// with `pipeline.save(store)`, then `store.prune({ keep: 10 })` on a copy.
// Run: `node bench/core/store-load.bench.mjs [--json] [--versions N] [--loads N] [--rounds N]`.
import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  FileSaver,
  MLMode,
  MLOp,
  Node,
  OpStore,
  Pipeline,
  ReservedNodes,
  SequentialRunner,
} from '@chariots/core'

const IN = ReservedNodes.pipelineInput
const OUT = ReservedNodes.pipelineOutput
const KEEP = 10

/** Learns the mean; predicts each number minus it. */
class MeanOp extends MLOp {
  static opName = 'mean'
  initModel() {
    return 0
  }
  fit(xs) {
    this.model = xs.reduce((a, b) => a + b, 0) / xs.length
  }
  predict(xs) {
    return xs.map((x) => x - this.model)
  }
}

/** Learns the largest centered magnitude; predicts each number divided by it. */
class ScaleOp extends MLOp {
  static opName = 'scale'
  initModel() {
    return 1
  }
  fit(xs) {
    this.model = Math.max(...xs.map(Math.abs)) || 1
  }
  predict(xs) {
    return xs.map((x) => x / this.model)
  }
}

const training = () =>
  new Pipeline(
    [
      new Node(new MeanOp(MLMode.FIT_PREDICT), { inputNodes: [IN], outputNodes: 'centered' }),
      new Node(new ScaleOp(MLMode.FIT), { inputNodes: ['centered'] }),
    ],
    'train',
  )
const prediction = () =>
  new Pipeline(
    [
      new Node(new MeanOp(MLMode.PREDICT), { inputNodes: [IN], outputNodes: 'centered' }),
      new Node(new ScaleOp(MLMode.PREDICT), { inputNodes: ['centered'], outputNodes: OUT }),
    ],
    'predict',
  )
/** The i-th training set; the prediction of [100] tells which training a load picked. */
const trainingSet = (i) => [i, 2 * i + 1, 3 * i + 7, 5 * i + 20]
const expected = (i) => {
  const xs = trainingSet(i)
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  const scale = Math.max(...xs.map((x) => Math.abs(x - mean))) || 1
  return (100 - mean) / scale
}

/** Trains and saves `versions` times into one store; answers the root. */
async function buildStore(root, versions, retention) {
  const store = new OpStore(new FileSaver(root), { retention })
  const runner = new SequentialRunner()
  const pipeline = training()
  for (let i = 0; i < versions; i++) {
    await runner.run(pipeline, trainingSet(i))
    const saved = await pipeline.save(store)
    if (saved.mean?.seq !== i + 1) throw new Error(`save ${i + 1} committed ${JSON.stringify(saved)}`)
  }
}

/** What a store holds on disk: states per node (fresh store), index files, the newest index's size. */
async function describeStore(root) {
  const store = new OpStore(new FileSaver(root), { retention: false })
  const states = (await store.listStates('mean')).length
  const indexFiles = (await readdir(join(root, '_index'))).filter((f) => f.endsWith('.json')).sort()
  const newest = indexFiles.at(-1)
  const indexBytes = newest ? (await stat(join(root, '_index', newest))).size : 0
  const blobs = (await readdir(join(root, 'models'), { recursive: true, withFileTypes: true })).filter((e) =>
    e.isFile(),
  ).length
  return { statesPerNode: states, indexFiles: indexFiles.length, indexBytes, blobs }
}

/** One load as a new process does it; answers the elapsed ms and checks it picked the newest training. */
async function timedLoad(variant) {
  const pipeline = prediction()
  const start = process.hrtime.bigint()
  const outcome = await pipeline.load(new OpStore(new FileSaver(variant.root), { retention: false }))
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (!outcome.loaded) throw new Error(`${variant.name}: not loaded: ${pipeline.notLoadedReason}`)
  if (outcome.states.mean?.seq !== variant.newestSeq || outcome.states.scale?.seq !== variant.newestSeq) {
    throw new Error(`${variant.name}: loaded ${JSON.stringify(outcome.states)}, not seq ${variant.newestSeq}`)
  }
  return { ms, pipeline }
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * Builds the three stores, loads from each side by side, and answers the figures.
 * @param {{ versions?: number, loads?: number, rounds?: number, log?: (line: string) => void }} [options]
 */
export async function runStoreLoadBench({ versions = 1000, loads = 40, rounds = 5, log } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'chariots-bench-store-load-'))
  try {
    const t0 = performance.now()
    await buildStore(join(dir, 'one'), 1, false)
    await buildStore(join(dir, 'many'), versions, false)
    const buildMs = performance.now() - t0
    log?.(`built ${versions} versions per node in ${(buildMs / 1000).toFixed(1)} s`)
    await cp(join(dir, 'many'), join(dir, 'pruned'), { recursive: true })
    const t1 = performance.now()
    const report = await new OpStore(new FileSaver(join(dir, 'pruned'))).prune({ keep: KEEP })
    const pruneMs = performance.now() - t1
    if (report.kept.mean !== KEEP || report.kept.scale !== KEEP)
      throw new Error(`prune kept ${JSON.stringify(report)}`)

    const variants = [
      { name: '1 version per node', key: 'one', root: join(dir, 'one'), newestSeq: 1, newestTraining: 0 },
      {
        name: `${versions} versions per node, retention off`,
        key: 'many',
        root: join(dir, 'many'),
        newestSeq: versions,
        newestTraining: versions - 1,
      },
      {
        name: `${versions} versions, pruned to ${KEEP}`,
        key: 'pruned',
        root: join(dir, 'pruned'),
        newestSeq: versions,
        newestTraining: versions - 1,
      },
    ]
    // Each variant's load serves its store's newest training (checked once, untimed).
    const runner = new SequentialRunner()
    for (const v of variants) {
      v.store = await describeStore(v.root)
      const { pipeline } = await timedLoad(v)
      const [got] = await runner.run(pipeline, [100])
      if (Math.abs(got - expected(v.newestTraining)) > 1e-9) throw new Error(`${v.name} predicts ${got}`)
      for (let i = 0; i < 10; i++) await timedLoad(v) // warm-up
    }
    const samples = new Map(variants.map((v) => [v.key, []]))
    for (let r = 0; r < rounds; r++) {
      // Rotate the order each round so no variant always runs first or after the same neighbour.
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(k + r) % variants.length]
        for (let i = 0; i < loads; i++) samples.get(v.key).push((await timedLoad(v)).ms)
      }
      log?.(`round ${r + 1}/${rounds} done`)
    }
    const base = median(samples.get('one'))
    const results = variants.map((v) => {
      const xs = samples.get(v.key)
      const p50 = median(xs)
      return {
        variant: v.name,
        key: v.key,
        ...v.store,
        loads: xs.length,
        p50Ms: p50,
        p90Ms: quantile(xs, 0.9),
        ratioToOne: p50 / base,
      }
    })
    const ratio = (key) => results.find((x) => x.key === key).ratioToOne
    return {
      versions,
      loadsPerVariant: loads * rounds,
      rounds,
      node: process.version,
      buildS: buildMs / 1000,
      pruneMs,
      results,
      manyVsOne: ratio('many'),
      prunedVsOne: ratio('pruned'),
      target: 2,
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The human-readable table of {@link runStoreLoadBench}'s figures. */
export function formatStoreLoadBench(figures) {
  const rows = [['store', 'states/node', 'index KB', 'blobs', 'p50 ms/load', 'p90 ms', 'x 1 version']]
  for (const r of figures.results) {
    rows.push([
      r.variant,
      String(r.statesPerNode),
      (r.indexBytes / 1024).toFixed(1),
      String(r.blobs),
      r.p50Ms.toFixed(3),
      r.p90Ms.toFixed(3),
      r.ratioToOne.toFixed(2),
    ])
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)))
  const line = (row) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')
  const verdict = (ratio) => (ratio <= figures.target ? 'within' : 'OVER')
  return [
    `core store load: pipeline.load(fresh OpStore) of mean -> scale, ${figures.loadsPerVariant} loads per store in ${figures.rounds} alternating rounds, node ${figures.node}`,
    ...rows.map(line),
    `${figures.versions} versions, retention off: ${figures.manyVsOne.toFixed(2)}x the 1-version store (${verdict(figures.manyVsOne)} the ${figures.target}x target)`,
    `${figures.versions} versions, pruned to ${KEEP}: ${figures.prunedVsOne.toFixed(2)}x the 1-version store (${verdict(figures.prunedVsOne)} the ${figures.target}x target)`,
    `building ${figures.versions} train+save commits took ${figures.buildS.toFixed(1)} s; the prune ${figures.pruneMs.toFixed(0)} ms`,
  ].join('\n')
}

function option(name, fallback) {
  const i = process.argv.indexOf(name)
  return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const json = process.argv.includes('--json')
  const figures = await runStoreLoadBench({
    versions: option('--versions', 1000),
    loads: option('--loads', 40),
    rounds: option('--rounds', 5),
    log: (l) => console.error(l),
  })
  console.log(formatStoreLoadBench(figures))
  if (json) console.log(JSON.stringify({ bench: 'core-store-load', ...figures }))
}
