import { MLMode, type Progress, VersionedFieldDict, VersionType, withProgressReporter } from '@chariots/core'
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { TFJSOp } from '../src/index.js'

const X = [[0], [1], [2], [3]]
const y = [1, 2, 3, 4]

/** A one-unit linear model; `learningRate` 0 keeps the loss the same every epoch. */
function linearModel(learningRate: number): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 1,
        inputShape: [1],
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
    ],
  })
  model.compile({ optimizer: tf.train.sgd(learningRate), loss: 'meanSquaredError' })
  return model
}

/** Trains `op` on X, y and answers the progress it reported. */
async function trainCollecting(op: TFJSOp): Promise<Progress[]> {
  const progress: Progress[] = []
  await withProgressReporter(
    (p) => progress.push(p),
    () => op.execute(X, y),
  )
  return progress
}

describe('TFJSOp fitParams callbacks', () => {
  it('runs a custom onEpochEnd (and every hook) alongside the op progress callback', async () => {
    const seen: string[] = []
    class HookedOp extends TFJSOp {
      static override opName = 'hooked'
      static override fitParams = new VersionedFieldDict(VersionType.MAJOR, {
        epochs: 4,
        batchSize: 4,
        callbacks: {
          onTrainBegin: () => {
            seen.push('train begin')
          },
          onEpochEnd: (epoch: number, logs?: tf.Logs) => {
            seen.push(`epoch ${epoch} loss ${typeof logs?.loss}`)
          },
          onTrainEnd: () => {
            seen.push('train end')
          },
        },
      })
      initModel() {
        return linearModel(0.01)
      }
    }
    const progress = await trainCollecting(new HookedOp(MLMode.FIT))
    expect(seen).toEqual([
      'train begin',
      'epoch 0 loss number',
      'epoch 1 loss number',
      'epoch 2 loss number',
      'epoch 3 loss number',
      'train end',
    ])
    expect(progress).toEqual([0.25, 0.5, 0.75, 1])
  })

  it('stops training with EarlyStopping, runs the other callbacks, and still ends the progress at 1', async () => {
    const epochs: number[] = []
    class EarlyStoppedOp extends TFJSOp {
      static override opName = 'early_stopped'
      static override fitParams = new VersionedFieldDict(VersionType.MAJOR, {
        epochs: 50,
        batchSize: 4,
        callbacks: [
          tf.callbacks.earlyStopping({ monitor: 'loss', patience: 2 }),
          { onEpochEnd: (epoch: number) => void epochs.push(epoch) },
        ],
      })
      initModel() {
        return linearModel(0) // the loss never improves: patience 2 stops after epoch 2
      }
    }
    const progress = await trainCollecting(new EarlyStoppedOp(MLMode.FIT))
    expect(epochs).toEqual([0, 1, 2])
    expect(progress).toEqual([1 / 50, 2 / 50, 3 / 50, 1])
  })

  it('keeps the fitParams callbacks in the version (another callback config is another version)', () => {
    const withPatience = (patience: number) =>
      class extends TFJSOp {
        static override fitParams = new VersionedFieldDict(VersionType.MAJOR, {
          epochs: 5,
          callbacks: [tf.callbacks.earlyStopping({ monitor: 'loss', patience })],
        })
        initModel() {
          return linearModel(0)
        }
      }
    expect(withPatience(2).version.major).toBe(withPatience(2).version.major)
    expect(withPatience(3).version.major).not.toBe(withPatience(2).version.major)
  })
})
