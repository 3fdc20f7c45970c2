import { describe, expect, it } from 'vitest'
import { MeanOp } from '../../test/fixtures/ml-ops.js'
import { ChariotsError } from '../errors/chariots-error.js'
import { Version } from '../versioning/version.js'
import { VersionType } from '../versioning/version-type.js'
import { MLMode } from './ml-mode.js'

/** An MLOp envelope: 4-byte big-endian header length, the header text, then the model bytes. */
function envelope(header: string, model = '0'): Uint8Array {
  const h = Buffer.from(header, 'utf8')
  const out = Buffer.alloc(4 + h.length)
  out.writeUInt32BE(h.length, 0)
  h.copy(out, 4)
  return Buffer.concat([out, Buffer.from(model, 'utf8')])
}

async function loadError(bytes: Uint8Array): Promise<ChariotsError> {
  const op = new MeanOp(MLMode.PREDICT)
  try {
    await op.load(bytes)
  } catch (e) {
    expect(e).toBeInstanceOf(ChariotsError)
    return e as ChariotsError
  }
  throw new Error(`expected load to fail on ${Buffer.from(bytes).toString('hex')}`)
}

describe('MLOp modes', () => {
  it('trains in FIT, trains then predicts in FIT_PREDICT, predicts in PREDICT', async () => {
    const fit = new MeanOp(MLMode.FIT)
    expect(await fit.execute([1, 2, 3])).toBeUndefined()
    expect(fit.model).toBe(2)
    const both = new MeanOp(MLMode.FIT_PREDICT)
    expect(await both.execute([1, 2, 3])).toEqual([-1, 0, 1])
    const predict = new MeanOp(MLMode.PREDICT)
    predict.model = 10
    expect(await predict.execute([12])).toEqual([2])
    expect(predict.lastTrainingTime).toBeNull()
  })

  it('allows a version change and needs no saved state unless it predicts', () => {
    expect(new MeanOp(MLMode.FIT).allowVersionChange).toBe(true)
    expect(new MeanOp(MLMode.FIT_PREDICT).allowVersionChange).toBe(true)
    expect(new MeanOp(MLMode.PREDICT).allowVersionChange).toBe(false)
    expect(new MeanOp(MLMode.FIT).requiresSavedState).toBe(false)
    expect(new MeanOp(MLMode.PREDICT).requiresSavedState).toBe(true)
  })

  it('refuses an unknown mode with INVALID_INPUT', () => {
    expect(() => new MeanOp('train' as MLMode)).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    )
  })
})

describe('MLOp versions', () => {
  it('moves the sub-version named by trainingUpdateVersion (MAJOR by default) with each training', async () => {
    expect(MeanOp.trainingUpdateVersion).toBe(VersionType.MAJOR)
    const op = new MeanOp(MLMode.FIT)
    expect(op.opVersion.toString()).toBe(MeanOp.version.toString())
    await op.execute([1])
    const first = op.opVersion
    expect(first.major).not.toBe(MeanOp.version.major)
    expect(first.minor).toBe(MeanOp.version.minor)
    expect(first.creationTime).toBe(op.lastTrainingTime)
    expect(op.matchesCodeVersion(first)).toBe(true)
    await op.execute([1])
    expect(op.opVersion.major).not.toBe(first.major)
  })

  it('moves only the minor version when trainingUpdateVersion is MINOR', async () => {
    class MinorMeanOp extends MeanOp {
      static override opName = 'minor_mean'
      static override trainingUpdateVersion = VersionType.MINOR
    }
    const op = new MinorMeanOp(MLMode.FIT)
    await op.execute([1])
    expect(op.opVersion.major).toBe(MinorMeanOp.version.major)
    expect(op.opVersion.minor).not.toBe(MinorMeanOp.version.minor)
    expect(op.matchesCodeVersion(op.opVersion)).toBe(true)
  })

  it('matches saved versions of its own code only', async () => {
    const op = new MeanOp(MLMode.FIT)
    await op.execute([1])
    const foreign = new Version({ major: 'f'.repeat(40), creationTime: op.lastTrainingTime! })
    expect(op.matchesCodeVersion(foreign)).toBe(false)
    expect(new MeanOp(MLMode.PREDICT).matchesCodeVersion(op.opVersion)).toBe(true)
  })
})

describe('MLOp serialize and load', () => {
  it('round-trips the model, lastTrainingTime and opVersion', async () => {
    const trained = new MeanOp(MLMode.FIT)
    await trained.execute([2, 4, 9])
    const bytes = await trained.serialize()

    const loaded = new MeanOp(MLMode.PREDICT)
    await loaded.load(bytes)
    expect(loaded.model).toBe(5)
    expect(loaded.lastTrainingTime).toBe(trained.lastTrainingTime)
    expect(loaded.opVersion.toString()).toBe(trained.opVersion.toString())
    expect(loaded.hasSavedState).toBe(true)
    expect(await loaded.execute([7])).toEqual([2])
  })

  it('round-trips an untrained op (no training time, the class version)', async () => {
    const loaded = new MeanOp(MLMode.PREDICT)
    await loaded.load(await new MeanOp(MLMode.FIT).serialize())
    expect(loaded.lastTrainingTime).toBeNull()
    expect(loaded.opVersion.toString()).toBe(MeanOp.version.toString())
  })

  it.each([
    ['no bytes', new Uint8Array(0)],
    ['a truncated length', new Uint8Array([0, 0])],
    ['a header longer than the bytes', envelope('{"lastTrainingTime":1}').subarray(0, 10)],
    ['a header that is not JSON', envelope('{"lastTrainingTime":')],
    ['a header that is null', envelope('null')],
    ['a header that is an array', envelope('[1]')],
    ['a training time that is not a number', envelope('{"lastTrainingTime":"yesterday"}')],
    ['plain text', Buffer.from('this is not a model at all')],
  ])('refuses an envelope with %s with SERIALIZATION_ERROR', async (_what, bytes) => {
    const err = await loadError(bytes)
    expect(err.code).toBe('SERIALIZATION_ERROR')
    expect(err.message).toContain("ML op 'mean'")
  })
})
