import {
  ChariotsError,
  MLMode,
  PipelineNotLoadedError,
  VersionedFieldDict,
  VersionType,
  versioned,
} from '@chariots/core'
import { PCA as MLPCA } from 'ml-pca'
import { describe, expect, it } from 'vitest'
import { KMeans } from '../adapters/k-means.js'
import { KNN } from '../adapters/knn.js'
import { PCA } from '../adapters/pca.js'
import { SupervisedOp } from './supervised-op.js'
import { UnsupervisedOp } from './unsupervised-op.js'

class NearestOp extends SupervisedOp {
  static override opName = 'nearest'
  static override modelClass = versioned(KNN, VersionType.MAJOR)
  static override modelParameters = new VersionedFieldDict(VersionType.MAJOR, { k: 1 })
}

class ClusterOp extends UnsupervisedOp {
  static override opName = 'cluster'
  static override modelClass = versioned(KMeans, VersionType.MAJOR)
  static override modelParameters = new VersionedFieldDict(VersionType.MAJOR, { k: 2 })
}

const X = [[0], [1], [10], [11]]
const y = [0, 0, 1, 1]

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ChariotsError)
  return (error as ChariotsError).code
}

describe('SupervisedOp / UnsupervisedOp', () => {
  it('fit (X, y) then predict X in FIT_PREDICT, as plain arrays', async () => {
    expect(await new NearestOp(MLMode.FIT_PREDICT).execute(X, y)).toEqual(y)
    const clusters = (await new ClusterOp(MLMode.FIT_PREDICT).execute(X)) as number[]
    expect(clusters[0]).toBe(clusters[1])
    expect(clusters[2]).toBe(clusters[3])
    expect(clusters[0]).not.toBe(clusters[2])
  })

  it('builds the adapter from modelParameters', () => {
    const model = new NearestOp(MLMode.FIT).model
    expect(model).toBeInstanceOf(KNN)
    expect((model as KNN).params).toEqual({ k: 1 })
  })

  it('moves the class major version with modelClass and modelParameters', () => {
    // Siblings of NearestOp that differ in one field each.
    const nearestWith = (modelClass: unknown, parameters: VersionedFieldDict) =>
      class extends SupervisedOp {
        static override opName = 'nearest'
        static override modelClass = modelClass as unknown as typeof NearestOp.modelClass
        static override modelParameters = parameters
      }
    const Nearest3Op = nearestWith(
      versioned(KNN, VersionType.MAJOR),
      new VersionedFieldDict(VersionType.MAJOR, { k: 3 }),
    )
    const NearestPatchOp = nearestWith(
      versioned(KNN, VersionType.MAJOR),
      new VersionedFieldDict(VersionType.MAJOR, { k: versioned(1, VersionType.PATCH) }),
    )
    const OtherModelOp = nearestWith(versioned(PCA, VersionType.MAJOR), NearestOp.modelParameters)
    const SameOp = nearestWith(
      versioned(KNN, VersionType.MAJOR),
      new VersionedFieldDict(VersionType.MAJOR, { k: 1 }),
    )
    expect(SameOp.version.major).toBe(NearestOp.version.major)
    expect(Nearest3Op.version.major).not.toBe(NearestOp.version.major)
    expect(OtherModelOp.version.major).not.toBe(NearestOp.version.major)
    expect(NearestPatchOp.version.major).not.toBe(NearestOp.version.major) // k left the major hash
    expect(NearestPatchOp.version.patch).not.toBe(NearestOp.version.patch)
  })

  it('saves the adapter JSON and a PREDICT op loads it back', async () => {
    const trained = new NearestOp(MLMode.FIT)
    await trained.execute(X, y)
    const bytes = await trained.serialize()
    expect(Buffer.from(bytes).toString('utf8')).toContain('"kind":"knn"')
    const predictor = new NearestOp(MLMode.PREDICT)
    await predictor.load(bytes)
    expect(predictor.lastTrainingTime).toBe(trained.lastTrainingTime)
    expect(await predictor.execute([[2], [9]])).toEqual([0, 1])
  })

  it('refuses bytes saved for another adapter, naming both', async () => {
    const trained = new ClusterOp(MLMode.FIT)
    await trained.execute(X)
    const error = await new NearestOp(MLMode.PREDICT).load(await trained.serialize()).catch((e: unknown) => e)
    expect(String(error)).toContain(`KNN.fromJSON expects the JSON of a fitted KNN`)
    expect(String(error)).toContain(`got kind "k-means"`)
  })

  it('turns shape problems into INVALID_INPUT naming the op and both shapes', async () => {
    const op = new NearestOp(MLMode.FIT)
    await op.execute(X, y)
    await expect(Promise.resolve().then(() => op.predict([[1, 2]]))).rejects.toThrow(
      "op 'nearest': KNN.predict expects rows of 1 numbers, got a row of 2 at index 0",
    )
    expect(await codeOf(new NearestOp(MLMode.FIT).execute(X, [0, 1]))).toBe('INVALID_INPUT')
    expect(await codeOf(new NearestOp(MLMode.FIT).execute(X))).toBe('INVALID_INPUT')
    expect(await codeOf(new ClusterOp(MLMode.FIT).execute('not rows'))).toBe('INVALID_INPUT')
  })

  it('says what to do when predicting or saving with no trained model', async () => {
    const predictor = new NearestOp(MLMode.PREDICT)
    expect(await codeOf(predictor.execute(X))).toBe('PIPELINE_NOT_LOADED')
    await expect(predictor.execute(X)).rejects.toBeInstanceOf(PipelineNotLoadedError)
    await expect(predictor.execute(X)).rejects.toThrow('run and save its training pipeline')
    expect(await codeOf(Promise.resolve().then(() => new NearestOp(MLMode.FIT).serialize()))).toBe(
      'SERIALIZATION_ERROR',
    )
  })

  it('accepts a plain modelClass (as the Python tutorial writes it), versioned as MAJOR by its name', async () => {
    class PlainPCAOp extends UnsupervisedOp {
      static override opName = 'pca'
      static override modelClass = PCA
      static override modelParameters = new VersionedFieldDict(VersionType.MAJOR, { nComponents: 1 })
    }
    class VersionedPCAOp extends UnsupervisedOp {
      static override opName = 'pca'
      static override modelClass = versioned(PCA, VersionType.MAJOR)
      static override modelParameters = new VersionedFieldDict(VersionType.MAJOR, { nComponents: 1 })
    }
    class PlainKNNOp extends SupervisedOp {
      static override modelClass = KNN
      static override modelParameters = new VersionedFieldDict(VersionType.MAJOR, { nComponents: 1 })
    }
    const rows = [
      [1, 2],
      [2, 4.1],
      [3, 5.9],
    ]
    const plain = new PlainPCAOp(MLMode.FIT_PREDICT)
    expect(plain.model).toBeInstanceOf(PCA)
    expect(await plain.execute(rows)).toEqual(await new VersionedPCAOp(MLMode.FIT_PREDICT).execute(rows))
    expect(PlainPCAOp.version.equals(VersionedPCAOp.version)).toBe(true)
    expect(PlainKNNOp.version.major).not.toBe(PlainPCAOp.version.major)
    // Saved by the plain form, loaded by the versioned one: the same adapter JSON.
    const predictor = new VersionedPCAOp(MLMode.PREDICT)
    await predictor.load(await plain.serialize())
    expect(await predictor.execute(rows)).toEqual(await plain.execute(rows))
  })

  it.each([
    ['declares none', undefined, 'has no static modelClass'],
    ['declares a string', 'pca', "has static modelClass 'pca', which is not a model adapter class"],
    [
      'declares a raw ml.js class',
      MLPCA,
      'has static modelClass class PCA, which is not a model adapter class',
    ],
    [
      'declares a versioned non-class',
      versioned(2, VersionType.MAJOR),
      'has static modelClass versioned(number), which is not a model adapter class',
    ],
  ])('refuses an op that %s when it is constructed, showing the versioned form', (_, modelClass, problem) => {
    class WrongOp extends UnsupervisedOp {
      static override opName = 'wrong'
      static override modelClass = modelClass as unknown as typeof NearestOp.modelClass
    }
    const error = (() => {
      try {
        new WrongOp(MLMode.FIT)
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(ChariotsError)
    expect(error).toMatchObject({ code: 'INVALID_OP', details: { op: 'wrong', class: 'WrongOp' } })
    expect((error as ChariotsError).message).toContain(`op 'wrong' (class WrongOp) ${problem}`)
    expect((error as ChariotsError).message).toContain(
      'e.g. static override modelClass = versioned(PCA, VersionType.MAJOR)',
    )
  })
})
