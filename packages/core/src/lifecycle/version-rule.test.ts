import { describe, expect, it } from 'vitest'
import {
  MeanOp,
  predictionPipeline,
  trainingPipeline,
  upstreamTrainingPipeline,
} from '../../test/fixtures/ml-ops.js'
import { useTempDirs } from '../../test/fixtures/temp-dir.js'
import { VersionError } from '../errors/chariots-error.js'
import { BaseOp } from '../ops/base-op.js'
import { MLMode } from '../ops/ml-mode.js'
import type { MLOp } from '../ops/ml-op.js'
import { Node } from '../pipeline/node.js'
import { Pipeline } from '../pipeline/pipeline.js'
import { ReservedNodes } from '../pipeline/reserved-nodes.js'
import { SequentialRunner } from '../runners/sequential-runner.js'
import { FileSaver } from '../savers/file-saver.js'
import { OpStore } from '../store/op-store.js'
import type { StateRecord } from '../store/state-store.js'
import { Version } from '../versioning/version.js'
import { versionOf } from '../versioning/version-of.js'
import { VersionType } from '../versioning/version-type.js'
import { versioned } from '../versioning/versioned-field.js'
import { resolvePipeline } from './version-rule.js'

const IN = ReservedNodes.pipelineInput
const OUT = ReservedNodes.pipelineOutput
const tempDir = useTempDirs('chariots-version-rule-')
const runner = new SequentialRunner()
const store = (root: string) => new OpStore(new FileSaver(root))

async function trainAndSave(pipeline: Pipeline, data: number[], root: string): Promise<void> {
  await runner.run(pipeline, data)
  await pipeline.save(store(root))
}

const model = (pipeline: Pipeline, name: string) => (pipeline.node(name)!.op as MLOp<number>).model

describe('the version rule with an upstream and a downstream model', () => {
  it('loads models trained together, refuses a downstream trained on another upstream and keeps serving', async () => {
    const root = await tempDir()
    const predict = predictionPipeline()
    expect(predict.isLoaded).toBe(false)
    const never = await predict.load(store(root))
    expect(never.loaded).toBe(false)
    expect(predict.notLoadedReason).toMatch(/node 'mean' has no saved state yet/)

    const train = trainingPipeline()
    await trainAndSave(train, [1, 2, 3, 4, 5], root) // mean 3, centered [-2..2], scale 2
    expect((await predict.load(store(root))).loaded).toBe(true)
    expect(predict.isLoaded).toBe(true)
    expect(predict.getPipelineVersions().get('mean')!.toString()).toBe(train.node('mean')!.version.toString())
    expect(await runner.run(predict, [7])).toEqual([2])

    // Retrain the upstream alone: no saved scale was trained on the new mean.
    await trainAndSave(upstreamTrainingPipeline(), [11, 12, 13], root)
    const err = await predict.load(store(root)).catch((e) => e)
    expect(err).toBeInstanceOf(VersionError)
    expect(err.message).toContain("node 'scale' was trained on version")
    expect(err.message).toContain("upstream node 'mean'")
    expect(err.details).toMatchObject({ downstream: 'scale', upstream: 'mean', states: 1 })
    expect(err.details.current).toBe((await store(root).listStates('mean')).at(-1)!.version)
    // The refused load changed nothing: the old pair still serves.
    expect(predict.isLoaded).toBe(true)
    expect(model(predict, 'mean')).toBe(3)
    expect(await runner.run(predict, [7])).toEqual([2])

    // Retrain both on new data: mean 20, centered [-10, 0, 10], scale 10.
    await trainAndSave(trainingPipeline(), [10, 20, 30], root)
    await predict.load(store(root))
    expect(model(predict, 'mean')).toBe(20)
    expect(model(predict, 'scale')).toBe(10)
    expect(await runner.run(predict, [40, 15])).toEqual([2, -0.5])
  })

  it('serves the downstream trained with the older code when that code comes back', async () => {
    // u is a plain op whose major field changes between code A and code B.
    const codes = {
      A: class extends BaseOp {
        static override opName = 'u'
        static factor = versioned(1, VersionType.MAJOR)
        execute(xs: number[]) {
          return xs
        }
      },
      B: class extends BaseOp {
        static override opName = 'u'
        static factor = versioned(2, VersionType.MAJOR)
        execute(xs: number[]) {
          return xs.map((x) => x * 2)
        }
      },
    }
    const train = (u: BaseOp) =>
      new Pipeline(
        [
          new Node(u, { inputNodes: [IN], outputNodes: 'x' }),
          new Node(new MeanOp(MLMode.FIT), { inputNodes: ['x'], name: 'd' }),
        ],
        'train',
      )
    const predict = (u: BaseOp) =>
      new Pipeline(
        [
          new Node(u, { inputNodes: [IN], outputNodes: 'x' }),
          new Node(new MeanOp(MLMode.PREDICT), { inputNodes: ['x'], outputNodes: OUT, name: 'd' }),
        ],
        'predict',
      )
    const root = await tempDir()
    await trainAndSave(train(new codes.A()), [2, 4], root) // d trained on A's output: mean 3
    await trainAndSave(train(new codes.B()), [2, 4], root) // d trained on B's output: mean 6
    const withB = predict(new codes.B())
    await withB.load(store(root))
    expect(await runner.run(withB, [10])).toEqual([14])

    const backToA = predict(new codes.A())
    await backToA.load(store(root))
    expect(model(backToA, 'd')).toBe(3)
    expect(await runner.run(backToA, [10])).toEqual([7])
  })

  it("finds the older code's state in the store's history when retention is off", async () => {
    const root = await tempDir()
    const keepAll = () => new OpStore(new FileSaver(root), { retention: false })
    class OldMean extends MeanOp {
      static override opName = 'mean'
    }
    class NewMean extends MeanOp {
      static override opName = 'mean'
      static formula = versioned('new', VersionType.MAJOR)
    }
    const train = (Op: typeof MeanOp) =>
      new Pipeline([new Node(new Op(MLMode.FIT), { inputNodes: [IN] })], 'train_mean')
    const old = train(OldMean)
    await runner.run(old, [1, 2, 3])
    await old.save(keepAll())
    const newer = train(NewMean)
    for (let i = 0; i < 130; i++) {
      await runner.run(newer, [i])
      await newer.save(keepAll())
    }
    expect((await keepAll().recentStates('mean')).complete).toBe(false)
    const predict = new Pipeline(
      [new Node(new OldMean(MLMode.PREDICT), { inputNodes: [IN], outputNodes: OUT })],
      'predict_old',
    )
    expect((await predict.load(keepAll())).loaded).toBe(true)
    expect(model(predict, 'mean')).toBe(2)
  })

  it('takes the last saved state as the latest, whatever the clocks of the processes that trained them', async () => {
    const root = await tempDir()
    const early = trainingPipeline()
    await runner.run(early, [1, 2, 3]) // trained first: mean 2
    const late = trainingPipeline()
    await runner.run(late, [10, 20, 30]) // trained later: mean 20
    expect(late.node('mean')!.version.creationTime).toBeGreaterThan(early.node('mean')!.version.creationTime)
    await late.save(store(root))
    await early.save(store(root)) // saved last
    const predict = predictionPipeline()
    await predict.load(store(root))
    expect(model(predict, 'mean')).toBe(2)
  })

  it('moves the major version with every training and keeps it through save and load', async () => {
    const root = await tempDir()
    const train = trainingPipeline()
    const untrained = train.node('mean')!.version
    expect(untrained.major).toBe(MeanOp.version.major)
    await trainAndSave(train, [1, 2, 3], root)
    const first = train.node('mean')!.version
    expect(first.major).not.toBe(untrained.major)
    await trainAndSave(train, [1, 2, 3], root)
    const second = train.node('mean')!.version
    expect(second.major).not.toBe(first.major)
    const predict = predictionPipeline()
    await predict.load(store(root))
    expect(predict.node('mean')!.version.toString()).toBe(second.toString())
  })

  it('does not load models saved by code with another major version', async () => {
    const root = await tempDir()
    await trainAndSave(trainingPipeline(), [1, 2, 3], root)
    class ChangedMeanOp extends MeanOp {
      static override opName = 'mean'
      static formula = versioned('median', VersionType.MAJOR)
    }
    const changed = new Pipeline(
      [new Node(new ChangedMeanOp(MLMode.PREDICT), { inputNodes: [IN], outputNodes: OUT })],
      'predict_changed',
    )
    const outcome = await changed.load(store(root))
    expect(outcome.loaded).toBe(false)
    expect(changed.notLoadedReason).toContain(
      "node 'mean' has no saved state for its current code (1 from other code)",
    )
  })
})

describe('resolvePipeline', () => {
  class A extends BaseOp {
    static override opName = 'a'
    execute(x: number) {
      return x
    }
  }
  class Minor extends BaseOp {
    static override opName = 'a'
    static note = versioned('changed', VersionType.MINOR)
    execute(x: number) {
      return x
    }
  }
  const pipelineWith = (upstream: BaseOp) =>
    new Pipeline(
      [
        new Node(upstream, { inputNodes: [IN], outputNodes: 'x' }),
        new Node(new MeanOp(MLMode.PREDICT), { inputNodes: ['x'], outputNodes: OUT, name: 'm' }),
      ],
      'p',
    )
  let seq = 0
  const record = (lineage: Record<string, string>): StateRecord => ({
    node: 'm',
    seq: ++seq,
    version: new Version().toString(),
    codeVersion: versionOf(MeanOp).toString(),
    lineage,
    blob: `/models/m/${seq}`,
    size: 1,
    savedAt: new Date().toISOString(),
    savedBy: null,
    pipeline: null,
  })

  it('picks the latest state whose lineage fits, comparing majors (a minor change stays compatible)', () => {
    const fits = record({ a: versionOf(A).toString() })
    const other = record({ a: new Version({ major: 'f'.repeat(40) }).toString() })
    const p = pipelineWith(new Minor())
    const { picks } = resolvePipeline(p, { statesOf: () => [fits, other] })
    expect(picks.get(p.node('m')!)).toBe(fits)
  })

  it('does not constrain lineage entries of nodes that are not upstream here', () => {
    const r = record({ load_train_csv: new Version({ major: 'e'.repeat(40) }).toString() })
    const p = pipelineWith(new A())
    expect(resolvePipeline(p, { statesOf: () => [r] }).picks.get(p.node('m')!)).toBe(r)
  })

  it('loads a pinned earlier state, and refuses a pin that does not fit', () => {
    const older = record({ a: versionOf(A).toString() })
    const newer = record({ a: versionOf(A).toString() })
    const p = pipelineWith(new A())
    expect(
      resolvePipeline(p, { statesOf: () => [older, newer], pin: { m: older.seq } }).picks.get(p.node('m')!),
    ).toBe(older)
    const foreign = record({ a: new Version({ major: 'f'.repeat(40) }).toString() })
    expect(() => resolvePipeline(p, { statesOf: () => [older, foreign], pin: { m: foreign.seq } })).toThrow(
      VersionError,
    )
  })

  it('checks a nested pipeline against what is upstream of it in the outer pipeline', () => {
    const inner = new Pipeline(
      [new Node(new MeanOp(MLMode.PREDICT), { inputNodes: [IN], outputNodes: OUT, name: 'm' })],
      'inner',
    )
    const outer = new Pipeline(
      [
        new Node(new A(), { inputNodes: [IN], outputNodes: 'x' }),
        new Node(inner, { inputNodes: ['x'], outputNodes: OUT }),
      ],
      'outer',
    )
    const stale = record({ a: new Version({ major: 'f'.repeat(40) }).toString() })
    expect(() => resolvePipeline(outer, { statesOf: () => [stale] })).toThrow(/upstream node 'a'/)
    const fresh = record({ a: versionOf(A).toString() })
    expect(resolvePipeline(outer, { statesOf: () => [stale, fresh] }).picks.size).toBe(1)
  })
})
