import { describe, expect, it } from 'vitest'
import {
  MeanOp,
  predictionPipeline,
  ScaleOp,
  trainingPipeline,
  upstreamTrainingPipeline,
} from '../../test/fixtures/ml-ops.js'
import { useTempDirs } from '../../test/fixtures/temp-dir.js'
import { VersionError } from '../errors/chariots-error.js'
import { MLMode } from '../ops/ml-mode.js'
import type { MLOp } from '../ops/ml-op.js'
import { Node } from '../pipeline/node.js'
import { Pipeline } from '../pipeline/pipeline.js'
import { ReservedNodes } from '../pipeline/reserved-nodes.js'
import { SequentialRunner } from '../runners/sequential-runner.js'
import { FileSaver } from '../savers/file-saver.js'
import { OpStore } from '../store/op-store.js'
import { VersionType } from '../versioning/version-type.js'
import { versioned } from '../versioning/versioned-field.js'

const tempDir = useTempDirs('chariots-version-rule-')
const runner = new SequentialRunner()

async function freshStore(root: string): Promise<OpStore> {
  const store = new OpStore(new FileSaver(root))
  await store.reload()
  return store
}

async function trainAndSave(pipeline: Pipeline, data: number[], root: string): Promise<void> {
  await runner.run(pipeline, data)
  await pipeline.save(await freshStore(root))
}

const model = (pipeline: Pipeline, name: string) => (pipeline.node(name)!.op as MLOp<number>).model

describe('the version rule with an upstream and a downstream model', () => {
  it('loads predictors trained together, refuses a downstream trained on an outdated upstream, and recovers after retraining', async () => {
    const root = await tempDir()

    // A training pipeline is loaded from the start; a prediction pipeline is not, until trained.
    expect(trainingPipeline().isLoaded).toBe(true)
    const predict = predictionPipeline()
    expect(predict.isLoaded).toBe(false)
    expect(predict.notLoadedReason).toMatch(/not been loaded/)
    await predict.load(await freshStore(root))
    expect(predict.isLoaded).toBe(false)
    expect(predict.notLoadedReason).toContain("node 'mean'")
    expect(predict.notLoadedReason).toMatch(/run and save the training pipeline first/)

    // Train both: mean 3, centered [-2..2], scale 2.
    const train = trainingPipeline()
    await train.load(await freshStore(root))
    expect(train.isLoaded).toBe(true)
    await trainAndSave(train, [1, 2, 3, 4, 5], root)
    const trainedMean = train.node('mean')!.version
    const trainedScale = train.node('scale')!.version

    await predict.load(await freshStore(root))
    expect(predict.isLoaded).toBe(true)
    expect(predict.notLoadedReason).toBeNull()
    expect(predict.getPipelineVersions().get('mean')!.toString()).toBe(trainedMean.toString())
    expect(predict.getPipelineVersions().get('scale')!.toString()).toBe(trainedScale.toString())
    expect(await runner.run(predict, [7])).toEqual([2])

    // Retrain the upstream alone: its major moves, and the saved downstream no longer fits it.
    await trainAndSave(upstreamTrainingPipeline(), [11, 12, 13], root)
    const stale = predictionPipeline()
    const err = await stale.load(await freshStore(root)).catch((e) => e)
    expect(err).toBeInstanceOf(VersionError)
    expect(err.code).toBe('VERSION_INCOMPATIBLE')
    expect(err.message).toContain("node 'scale'")
    expect(err.message).toContain("upstream node 'mean'")
    expect(err.details).toMatchObject({ downstream: 'scale', upstream: 'mean' })
    expect(stale.isLoaded).toBe(false)
    expect(stale.notLoadedReason).toBe(err.message)
    // The pipeline that loaded before the retraining fails the same way on its next load.
    await expect(predict.load(await freshStore(root))).rejects.toBeInstanceOf(VersionError)

    // Retrain both on new data: mean 20, centered [-10, 0, 10], scale 10.
    await trainAndSave(trainingPipeline(), [10, 20, 30], root)
    await stale.load(await freshStore(root))
    expect(stale.isLoaded).toBe(true)
    expect(model(stale, 'mean')).toBe(20)
    expect(model(stale, 'scale')).toBe(10)
    expect(await runner.run(stale, [40, 15])).toEqual([2, -0.5])
  })

  it('moves the major version with every training, and keeps it through save and load', async () => {
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
    expect(second.creationTime).toBeGreaterThan(first.creationTime)

    // Loading picks the latest training whose code matches.
    const store = await freshStore(root)
    expect(store.getAllVersionsOfOp('mean').map(String)).toEqual([String(first), String(second)])
    const predict = predictionPipeline()
    await predict.load(store)
    expect(predict.node('mean')!.version.toString()).toBe(second.toString())
  })

  it('does not load models trained by code with another major version', async () => {
    const root = await tempDir()
    await trainAndSave(trainingPipeline(), [1, 2, 3], root)

    class ChangedScaleOp extends ScaleOp {
      static override opName = 'scale'
      static formula = versioned('max-abs-v2', VersionType.MAJOR)
    }
    const changed = new Pipeline(
      [
        new Node(new MeanOp(MLMode.PREDICT), {
          inputNodes: [ReservedNodes.pipelineInput],
          outputNodes: 'centered',
        }),
        new Node(new ChangedScaleOp(MLMode.PREDICT), {
          inputNodes: ['centered'],
          outputNodes: ReservedNodes.pipelineOutput,
        }),
      ],
      'predict_changed',
    )
    await changed.load(await freshStore(root))
    expect(changed.isLoaded).toBe(false)
    expect(changed.notLoadedReason).toContain("node 'scale'")
  })
})
