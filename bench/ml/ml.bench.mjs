// ML pipelines: fit and predict times of the iris PCA + logistic regression pipeline and of a random
// forest pipeline, run through Chariots pipelines and runners, side by side with the same models called
// by hand (adapters directly); and TF.js fit time per epoch through a TFJSOp pipeline and by hand.
// Informational: every figure is printed with its data size (rows × features); figures are medians.
// Run: `node bench/ml/ml.bench.mjs [--json] [--runs N]` (builds first: `pnpm build`).

import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  FileSaver,
  MLMode,
  Node,
  OpStore,
  Pipeline,
  ReservedNodes,
  SequentialRunner,
  VersionedFieldDict,
  VersionType,
  withProgressReporter,
} from '@chariots/core'
import { LogisticRegression, loadIris, PCA, RandomForestClassifier } from '@chariots/ml'
import { TFJSOp } from '@chariots/tfjs'
import {
  IrisFullDatasetOp,
  irisPredictionPipeline,
  irisTrainingPipeline,
  RandomForestOp,
} from '../iris-ops.mjs'

// TF.js is @chariots/tfjs's dependency, not this folder's: load the very copy it uses, so the model
// built here runs on the same engine (@tensorflow/tfjs has no `exports`: import and require agree).
const tf = await import(
  pathToFileURL(createRequire(import.meta.resolve('@chariots/tfjs')).resolve('@tensorflow/tfjs')).href
)

const IN = ReservedNodes.pipelineInput
const OUT = ReservedNodes.pipelineOutput
const TF_EPOCHS = 20

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

async function ms(fn) {
  const start = process.hrtime.bigint()
  const out = await fn()
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, out }
}

/** A small dense classifier on iris: 4 → 8 (relu) → 3 (softmax), seeded, full batch of 150 rows. */
function irisNet() {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 8,
        inputShape: [4],
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.dense({
        units: 3,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  })
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' })
  return model
}

class IrisNetOp extends TFJSOp {
  static opName = 'iris_net'
  static fitParams = new VersionedFieldDict(VersionType.MAJOR, {
    epochs: TF_EPOCHS,
    batchSize: 150,
    shuffle: false,
  })
  initModel() {
    return irisNet()
  }
}

function forestTraining() {
  return new Pipeline(
    [
      new Node(new IrisFullDatasetOp(), { outputNodes: ['x', 'y'] }),
      new Node(new RandomForestOp(MLMode.FIT), { inputNodes: ['x', 'y'] }),
    ],
    'train_forest',
  )
}

function forestPrediction() {
  return new Pipeline(
    [new Node(new RandomForestOp(MLMode.PREDICT), { inputNodes: [IN], outputNodes: OUT })],
    'pred_forest',
  )
}

function tfTraining() {
  return new Pipeline(
    [
      new Node(new IrisFullDatasetOp(), { outputNodes: ['x', 'y'] }),
      new Node(new IrisNetOp(MLMode.FIT), { inputNodes: ['x', 'y'] }),
    ],
    'train_iris_net',
  )
}

/** A store as a new process opens it (it reads its index on first use). */
const freshStore = (root) => new OpStore(new FileSaver(root))

/** Loads `pipeline` from a fresh store, failing the bench when the load did not pick the saved models. */
async function loadFrom(root, pipeline) {
  const outcome = await pipeline.load(freshStore(root))
  if (!outcome.loaded) throw new Error(`${pipeline.name} not loaded: ${pipeline.notLoadedReason}`)
  return outcome
}

/** Each state the training just saved is the one the load picked (the newest, by save order). */
function expectLoadedSaved(outcome, saved) {
  if (Object.keys(saved).length === 0) throw new Error('the training saved nothing')
  for (const [node, { seq }] of Object.entries(saved)) {
    if (outcome.states[node]?.seq !== seq) {
      throw new Error(
        `load picked ${JSON.stringify(outcome.states[node])} for '${node}', not the saved seq ${seq}`,
      )
    }
  }
}

/**
 * Runs the benchmark and returns its figures.
 * @param {{ runs?: number, log?: (line: string) => void }} [options]
 */
export async function runMLBench({ runs = 7, log } = {}) {
  const { X, y } = loadIris()
  const one = [X[0]]
  const size = (rows) => ({ rows: rows.length, features: rows[0].length })
  const root = await mkdtemp(join(tmpdir(), 'chariots-bench-ml-'))
  const runner = new SequentialRunner()
  const samples = new Map()
  const add = (name, value) => samples.set(name, [...(samples.get(name) ?? []), value])
  // Each step is a pair (through Chariots, by hand) of the same work; the order within a pair flips
  // every round so neither side always runs first on a warm cache or right after a GC.
  const steps = [
    {
      key: 'pca+logistic',
      pipeline: async (rec) => {
        const training = irisTrainingPipeline()
        rec('pca+logistic fit', (await ms(() => runner.run(training))).ms)
        const saved = await training.save(freshStore(root))
        const prediction = irisPredictionPipeline()
        const load = await ms(() => loadFrom(root, prediction))
        rec('pca+logistic load', load.ms)
        expectLoadedSaved(load.out, saved)
        rec('pca+logistic predict 150', (await ms(() => runner.run(prediction, X))).ms)
        rec('pca+logistic predict 1', (await ms(() => runner.run(prediction, one))).ms)
      },
      byHand: async (rec) => {
        const fit = await ms(() => {
          const pca = new PCA({ nComponents: 2 })
          pca.fit(X)
          const lr = new LogisticRegression({ numSteps: 1000, learningRate: 5e-3 })
          lr.fit(pca.predict(X), y)
          return { pca, lr }
        })
        rec('pca+logistic fit', fit.ms)
        const { pca, lr } = fit.out
        rec('pca+logistic predict 150', (await ms(() => lr.predict(pca.predict(X)))).ms)
        rec('pca+logistic predict 1', (await ms(() => lr.predict(pca.predict(one)))).ms)
      },
    },
    {
      key: 'random forest',
      pipeline: async (rec) => {
        const forest = forestTraining()
        rec('random forest fit', (await ms(() => runner.run(forest))).ms)
        const saved = await forest.save(freshStore(root))
        const prediction = forestPrediction()
        expectLoadedSaved(await loadFrom(root, prediction), saved)
        rec('random forest predict 150', (await ms(() => runner.run(prediction, X))).ms)
      },
      byHand: async (rec) => {
        const fit = await ms(() => {
          const rf = new RandomForestClassifier({ nEstimators: 25 })
          rf.fit(X, y)
          return rf
        })
        rec('random forest fit', fit.ms)
        rec('random forest predict 150', (await ms(() => fit.out.predict(X))).ms)
      },
    },
    {
      key: 'tfjs',
      // Epoch times from the op's progress reports (one per epoch), by hand from onEpochEnd.
      pipeline: async (rec) => {
        const stamps = [process.hrtime.bigint()]
        const fit = await ms(() =>
          withProgressReporter(
            () => stamps.push(process.hrtime.bigint()),
            () => runner.run(tfTraining()),
          ),
        )
        rec('tfjs fit', fit.ms)
        const epochs = stamps.slice(1).map((t, i) => Number(t - stamps[i]) / 1e6)
        rec('tfjs epoch', median(epochs.slice(1)))
        rec('tfjs first epoch', epochs[0])
      },
      byHand: async (rec) => {
        const stamps = []
        const xs = tf.tensor2d(X)
        const ys = tf.tensor2d(y.map((v) => [v]))
        const fit = await ms(async () => {
          const model = irisNet()
          stamps.push(process.hrtime.bigint())
          await model.fit(xs, ys, {
            epochs: TF_EPOCHS,
            batchSize: 150,
            shuffle: false,
            verbose: 0,
            callbacks: { onEpochEnd: async () => stamps.push(process.hrtime.bigint()) },
          })
          return model
        })
        fit.out.dispose()
        xs.dispose()
        ys.dispose()
        rec('tfjs fit', fit.ms)
        const epochs = stamps.slice(1).map((t, i) => Number(t - stamps[i]) / 1e6)
        rec('tfjs epoch', median(epochs.slice(1)))
      },
    },
  ]
  try {
    for (let r = 0; r <= runs; r++) {
      const warm = r === 0 // the first round warms up the JIT and TF.js: not counted
      for (const step of steps) {
        const sides = [
          ['pipeline', step.pipeline],
          ['by hand', step.byHand],
        ]
        if (r % 2) sides.reverse()
        for (const [side, run] of sides)
          await run((name, value) => (warm ? undefined : add(`${name}, ${side}`, value)))
      }
      if (!warm) log?.(`round ${r}/${runs} done`)
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
  const m = (name) => median(samples.get(name))
  const rows = [
    ['pca+logistic fit', size(X), 'pca+logistic fit'],
    ['pca+logistic load (2 models)', size(X), 'pca+logistic load', false],
    ['pca+logistic predict', size(X), 'pca+logistic predict 150'],
    ['pca+logistic predict', size(one), 'pca+logistic predict 1'],
    ['random forest fit (25 trees)', size(X), 'random forest fit'],
    ['random forest predict', size(X), 'random forest predict 150'],
    [`tfjs fit (${TF_EPOCHS} epochs, 4-8-3 dense)`, size(X), 'tfjs fit'],
    ['tfjs epoch (median, after the first)', size(X), 'tfjs epoch'],
    ['tfjs first epoch', size(X), 'tfjs first epoch', false],
  ].map(([what, dataSize, key, hasHand = true]) => {
    const pipeline = m(`${key}, pipeline`)
    const hand = hasHand ? m(`${key}, by hand`) : null
    return { what, ...dataSize, pipelineMs: pipeline, byHandMs: hand, ratio: hand ? pipeline / hand : null }
  })
  return { runs, node: process.version, results: rows }
}

/** The human-readable table of {@link runMLBench}'s figures. */
export function formatMLBench(figures) {
  const table = [['what', 'data (rows × features)', 'pipeline ms', 'by hand ms', 'x by hand']]
  for (const r of figures.results) {
    table.push([
      r.what,
      `${r.rows} × ${r.features}`,
      r.pipelineMs.toFixed(2),
      r.byHandMs === null ? '-' : r.byHandMs.toFixed(2),
      r.ratio === null ? '-' : r.ratio.toFixed(2),
    ])
  }
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)))
  const line = (row) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')
  return [
    `ml: iris through Chariots pipelines (SequentialRunner) and by hand, median of ${figures.runs} runs, node ${figures.node}`,
    ...table.map(line),
    'pipeline fit includes the data op and version bookkeeping; load reads the index and both models from a FileSaver store, on a fresh OpStore.',
  ].join('\n')
}

function option(name, fallback) {
  const i = process.argv.indexOf(name)
  return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const json = process.argv.includes('--json')
  const figures = await runMLBench({ runs: option('--runs', 7), log: (l) => console.error(l) })
  console.log(formatMLBench(figures))
  if (json) console.log(JSON.stringify({ bench: 'ml', ...figures }))
}
