// Type tests (vitest's typecheck runs tsc on them): what users write must compile.
import { MLMode, VersionedFieldDict, VersionType } from '@chariots/core'
import * as tf from '@tensorflow/tfjs'
import { describe, expectTypeOf, it } from 'vitest'
import { TFJSOp } from '../src/index.js'

class AddOneModelOp extends TFJSOp {
  static override opName = 'add_one_model'
  static override fitParams = new VersionedFieldDict(VersionType.MAJOR, {
    epochs: 300,
    batchSize: 10,
    shuffle: false,
  })
  initModel(): tf.LayersModel {
    return tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] })
  }
}

// A sub-subclass overriding the static with other entries (tfjs-op.test.ts's DefaultsOp).
class DefaultsOp extends AddOneModelOp {
  static override opName = 'defaults'
  static override fitParams = new VersionedFieldDict(VersionType.MAJOR, { batchSize: 10 })
}

// Callbacks in fitParams, beside plain entries.
class EarlyStoppedOp extends DefaultsOp {
  static override fitParams = new VersionedFieldDict(VersionType.MAJOR, {
    epochs: 50,
    callbacks: [tf.callbacks.earlyStopping({ monitor: 'loss', patience: 2 })],
  })
}

describe('static fitParams', () => {
  it('can be overridden by a subclass of a subclass, with other entries', () => {
    expectTypeOf(new DefaultsOp(MLMode.FIT)).toExtend<TFJSOp>()
    expectTypeOf(new EarlyStoppedOp(MLMode.FIT)).toExtend<TFJSOp>()
  })

  it('keeps each dict typed by its own entries', () => {
    expectTypeOf(AddOneModelOp.fitParams.get('epochs')).toEqualTypeOf<number>()
    expectTypeOf(DefaultsOp.fitParams.toObject()).toEqualTypeOf<{ batchSize: number }>()
    // @ts-expect-error DefaultsOp's dict has no 'epochs' entry
    DefaultsOp.fitParams.get('epochs')
  })
})
