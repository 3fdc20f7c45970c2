import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { loadLayersModel, serializeLayersModel } from './model-io.js'

const run = promisify(execFile)
const fixture = fileURLToPath(new URL('../test/fixtures/predict-layers-model.mjs', import.meta.url))
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url))

/** A one-unit dense model trained on y = x + 1, x in 0..9: full batch, no shuffle, seeded weights. */
async function trainAddOne(): Promise<tf.LayersModel> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 1,
        inputShape: [1],
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        biasInitializer: 'zeros',
      }),
    ],
  })
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' })
  const xs = tf.tensor2d([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 1])
  await model.fit(xs, xs.add(1), { epochs: 300, batchSize: 10, shuffle: false, verbose: 0 })
  return model
}

function predictOne(model: tf.LayersModel, x: number): number {
  return (model.predict(tf.tensor2d([[x]])) as tf.Tensor).dataSync()[0]!
}

describe('serializeLayersModel / loadLayersModel', () => {
  it('round-trips a trained model, in this process and in a child process running the built package', async () => {
    const model = await trainAddOne()
    const expected = predictOne(model, 5)
    expect(expected).toBeGreaterThan(5.5)
    expect(expected).toBeLessThan(6.5)
    expect(predictOne(await trainAddOne(), 5)).toBe(expected) // training is repeatable

    const bytes = await serializeLayersModel(model)
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, false)).toBeGreaterThan(0)
    const loaded = await loadLayersModel(bytes)
    expect(Math.abs(predictOne(loaded, 5) - expected)).toBeLessThan(1e-6)

    expect(existsSync(dist), `${dist} is missing: build first (cd packages/tfjs && npx tsc -b)`).toBe(true)
    const dir = await mkdtemp(join(tmpdir(), 'chariots-tfjs-'))
    try {
      const file = join(dir, 'model.bin')
      await writeFile(file, bytes)
      const { stdout, stderr } = await run(process.execPath, [fixture, file, '5'])
      expect(Math.abs(JSON.parse(stdout) - expected)).toBeLessThan(1e-6)
      expect(stderr).not.toContain('tfjs-node') // the banner stays quiet
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('loads from a Node Buffer that is a view into a larger buffer (as savers and envelopes return)', async () => {
    const model = await trainAddOne()
    const bytes = await serializeLayersModel(model)
    const envelope = Buffer.concat([Buffer.from('prefix'), bytes, Buffer.from('suffix')])
    const view = envelope.subarray(6, 6 + bytes.byteLength)
    expect(view.byteOffset).toBeGreaterThan(0)
    expect(predictOne(await loadLayersModel(view), 5)).toBe(predictOne(model, 5))
  })

  it('keeps the optimizer, so a loaded model trains on exactly as the original would', async () => {
    const original = await trainAddOne()
    const loaded = await loadLayersModel(await serializeLayersModel(original))
    const xs = tf.tensor2d([[2], [3]])
    for (const model of [original, loaded]) {
      await model.fit(xs, xs.add(1), { epochs: 3, shuffle: false, verbose: 0 })
    }
    expect(predictOne(loaded, 5)).toBe(predictOne(original, 5))
  })

  it('leaves the optimizer out on request: the loaded model must be compiled again to train', async () => {
    const loaded = await loadLayersModel(
      await serializeLayersModel(await trainAddOne(), { includeOptimizer: false }),
    )
    const xs = tf.tensor2d([[1]])
    await expect(loaded.fit(xs, xs.add(1), { epochs: 1, verbose: 0 })).rejects.toThrow(/compiled/)
  })

  it('rejects bytes it did not write, saying why', async () => {
    const bytes = await serializeLayersModel(await trainAddOne())
    await expect(loadLayersModel(bytes.subarray(0, 2))).rejects.toThrow('fewer than the 4-byte header length')
    await expect(loadLayersModel(bytes.subarray(0, bytes.length - 1))).rejects.toThrow(/weight bytes/)
    const garbled = bytes.slice()
    garbled[4] = 0x7b + 1
    await expect(loadLayersModel(garbled)).rejects.toThrow('the header is not JSON')
    await expect(loadLayersModel(bytes.subarray(0, 2))).rejects.toMatchObject({
      name: 'ChariotsError',
      code: 'SERIALIZATION_ERROR',
      message:
        'loadLayersModel: these are not the bytes of serializeLayersModel (2 bytes, fewer than the 4-byte header length); save the model again with serializeLayersModel',
    })
    await expect(loadLayersModel(garbled)).rejects.toMatchObject({ code: 'SERIALIZATION_ERROR' })
  })
})
