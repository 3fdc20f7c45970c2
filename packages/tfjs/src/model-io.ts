import { ChariotsError, ErrorCode } from '@chariots/core'
import * as tf from '@tensorflow/tfjs'
import './quiet-tfjs.js'

/*
 * Byte format of a serialized layers model, in memory only:
 *
 *   bytes 0..3        header length N, uint32 big-endian
 *   bytes 4..4+N      header: UTF-8 JSON of the TF.js ModelArtifacts without their weights
 *                     (modelTopology, weightSpecs, format, generatedBy, convertedBy, and when saved
 *                     with the optimizer trainingConfig; userDefinedMetadata if set) plus
 *                     `weightByteLength`
 *   bytes 4+N..end    the raw weight data, `weightByteLength` bytes, laid out as weightSpecs say
 *                     (optimizer weights last, in the 'optimizer' group)
 *
 * The header holds what TF.js's model.json holds, with the weight specs inline, so any TF.js reader
 * can rebuild the artifacts; the weight length catches truncated bytes.
 */

type Header = Omit<tf.io.ModelArtifacts, 'weightData' | 'getWeightStream'> & { weightByteLength: number }

/** Options of {@link serializeLayersModel}. */
export interface SerializeLayersModelOptions {
  /**
   * Keep the training config and the optimizer's state (e.g. Adam's moments) when the model is
   * compiled, so the loaded model comes back compiled and trains on where it stopped (default true).
   */
  includeOptimizer?: boolean
}

/**
 * Serializes a layers model (topology, weights, and by default its compile settings and optimizer
 * state) to bytes, with no file or network.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs'
 * import { serializeLayersModel } from '@chariots/tfjs'
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] })
 * const bytes = await serializeLayersModel(model) // Uint8Array
 * ```
 */
export async function serializeLayersModel(
  model: tf.LayersModel,
  options: SerializeLayersModelOptions = {},
): Promise<Uint8Array> {
  let saved: tf.io.ModelArtifacts | undefined
  const handler = tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) }
  })
  await model.save(handler, { includeOptimizer: options.includeOptimizer ?? true })
  if (!saved) {
    throw new ChariotsError(
      ErrorCode.SERIALIZATION_ERROR,
      'serializeLayersModel: TF.js saved no model artifacts; pass a tf.LayersModel built with tf.sequential or tf.model',
    )
  }
  const { weightData, getWeightStream: _stream, ...rest } = saved
  if (rest.modelTopology instanceof ArrayBuffer) {
    throw new ChariotsError(
      ErrorCode.SERIALIZATION_ERROR,
      'serializeLayersModel: expected a JSON model topology, got binary (not a layers model); pass a tf.LayersModel',
    )
  }
  const weights = new Uint8Array(
    weightData ? tf.io.CompositeArrayBuffer.join(weightData) : new ArrayBuffer(0),
  )
  const header = new TextEncoder().encode(JSON.stringify({ ...rest, weightByteLength: weights.byteLength }))
  const bytes = new Uint8Array(4 + header.byteLength + weights.byteLength)
  new DataView(bytes.buffer).setUint32(0, header.byteLength, false)
  bytes.set(header, 4)
  bytes.set(weights, 4 + header.byteLength)
  return bytes
}

/**
 * Rebuilds a layers model from {@link serializeLayersModel}'s bytes; compiled, with its optimizer state,
 * when they hold a training config.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs'
 * import { loadLayersModel, serializeLayersModel } from '@chariots/tfjs'
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] })
 * const copy = await loadLayersModel(await serializeLayersModel(model))
 * copy.predict(tf.tensor2d([[5]]))
 * ```
 */
export async function loadLayersModel(bytes: Uint8Array): Promise<tf.LayersModel> {
  const { header, weights } = splitBytes(bytes)
  const { weightByteLength: _length, ...artifacts } = header
  return tf.loadLayersModel(tf.io.fromMemory({ ...artifacts, weightData: weights }))
}

function splitBytes(bytes: Uint8Array): { header: Header; weights: ArrayBuffer } {
  const fail = (why: string): never => {
    throw new ChariotsError(
      ErrorCode.SERIALIZATION_ERROR,
      `loadLayersModel: these are not the bytes of serializeLayersModel (${why}); save the model again with serializeLayersModel`,
    )
  }
  if (bytes.byteLength < 4) fail(`${bytes.byteLength} bytes, fewer than the 4-byte header length`)
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, false)
  if (4 + length > bytes.byteLength) fail(`a ${length}-byte header in ${bytes.byteLength} bytes`)
  let header: Header
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length))) as Header
  } catch (cause) {
    throw new ChariotsError(
      ErrorCode.SERIALIZATION_ERROR,
      'loadLayersModel: the header is not JSON, so these are not the bytes of serializeLayersModel; save the model again with serializeLayersModel',
      { cause },
    )
  }
  const rest = bytes.byteLength - 4 - length
  if (typeof header.modelTopology !== 'object' || header.weightByteLength !== rest) {
    fail(`header declares ${header.weightByteLength} weight bytes, ${rest} follow`)
  }
  // Copy into a fresh ArrayBuffer: TF.js reads weights from offset 0 of the buffer. Not `bytes.slice()`:
  // on a Node Buffer (what savers return) slice shares memory, and `.buffer` is the whole pool.
  const weights = new Uint8Array(rest)
  weights.set(bytes.subarray(4 + length))
  return { header, weights: weights.buffer }
}
