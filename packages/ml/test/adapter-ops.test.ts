import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import * as core from '@chariots/core'
import { FileSaver, OpStore, SequentialRunner } from '@chariots/core'
import { beforeAll, describe, expect, it } from 'vitest'
import * as ml from '../src/index.js'
import { defineAdapterOps } from './fixtures/adapter-ops.mjs'
import { useTempDirs } from './helpers/temp-dirs.js'

const run = promisify(execFile)
const script = fileURLToPath(new URL('./fixtures/predict-saved.mjs', import.meta.url))
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url))
const cases = defineAdapterOps({ ml, core })
const tempDir = useTempDirs()

describe('every adapter through an op: fit, save, load in a child process', () => {
  const inProcess = new Map<string, unknown>()
  const loadedHere = new Map<string, unknown>()
  let inChild: Record<string, unknown> = {}

  beforeAll(async () => {
    expect(existsSync(dist), `${dist} is missing: build first (cd packages/ml && npx tsc -b)`).toBe(true)
    const root = await tempDir()
    const runner = new SequentialRunner()
    const store = new OpStore(new FileSaver(root))
    for (const c of cases) {
      const training = c.trainingPipeline()
      await runner.run(training)
      await training.save(store)
      const trainedOp = training.nodes.at(-1)!.op as ml.ModelOp
      inProcess.set(c.kind, trainedOp.predict(c.data.probe))

      const fresh = new OpStore(new FileSaver(root))
      await fresh.reload()
      const prediction = c.predictionPipeline()
      await prediction.load(fresh)
      expect(prediction.isLoaded, `${c.kind}: ${prediction.notLoadedReason}`).toBe(true)
      loadedHere.set(c.kind, await runner.run(prediction, c.data.probe))
    }
    const { stdout } = await run(process.execPath, [script, root], { maxBuffer: 64 * 1024 * 1024 })
    inChild = JSON.parse(stdout)
  }, 60_000)

  it('covers every registered adapter', () => {
    expect(cases.map((c) => c.kind).sort()).toEqual(Object.keys(ml.modelAdapters).sort())
  })

  it.each(cases.map((c) => [c.kind, c] as const))('%s predicts plain JSON arrays', (kind, c) => {
    const predictions = inProcess.get(kind)
    expect(Array.isArray(predictions)).toBe(true)
    expect(predictions).toHaveLength(c.data.probe.length)
    expect(JSON.parse(JSON.stringify(predictions))).toStrictEqual(predictions)
  })

  it.each(cases.map((c) => c.kind))('%s: a fresh store in this process predicts exactly the same', (kind) => {
    expect(loadedHere.get(kind)).toStrictEqual(inProcess.get(kind))
  })

  it.each(cases.map((c) => c.kind))(
    '%s: a child process on the built package predicts exactly the same',
    (kind) => {
      expect(inChild[kind]).toStrictEqual(inProcess.get(kind))
    },
  )
})
