import { MLMode, MLOp, Node, Pipeline, ReservedNodes } from '@chariots/core'

const { pipelineInput: IN, pipelineOutput: OUT } = ReservedNodes

/** Options of the model ops. */
export interface ModelOpOptions {
  /** Zero bytes appended to the saved model, to make saves slow enough to be interrupted. */
  paddingBytes?: number
}

/**
 * A model saved as `[4-byte header length][JSON header][padding]`. Loading checks the padding's
 * length, so a truncated file (a write cut short) can never load as a model.
 */
abstract class PaddedModelOp<M extends object> extends MLOp<M> {
  readonly paddingBytes: number
  constructor(mode: MLMode, options: ModelOpOptions = {}) {
    super(mode)
    this.paddingBytes = options.paddingBytes ?? 0
  }
  override serializeModel(model: M): Uint8Array {
    const header = Buffer.from(JSON.stringify({ model, padding: this.paddingBytes }))
    const out = Buffer.alloc(4 + header.length + this.paddingBytes)
    out.writeUInt32BE(header.length, 0)
    header.copy(out, 4)
    return out
  }
  override loadModel(bytes: Uint8Array): M {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const length = buf.readUInt32BE(0)
    const { model, padding } = JSON.parse(buf.subarray(4, 4 + length).toString('utf8'))
    if (buf.length !== 4 + length + padding) {
      throw new Error(`${this.name}: model file is ${buf.length} bytes, expected ${4 + length + padding}`)
    }
    return model as M
  }
}

/**
 * Learns the mean of its training numbers; predicts each number minus that mean.
 *
 * @example
 * ```ts
 * new MeanOp(MLMode.FIT_PREDICT) // trains on [1, 2, 3], answers [-1, 0, 1]
 * ```
 */
export class MeanOp extends PaddedModelOp<{ mean: number }> {
  static override opName = 'meanop'
  initModel() {
    return { mean: 0 }
  }
  fit(xs: number[]) {
    this.model = { mean: xs.reduce((a, b) => a + b, 0) / xs.length }
  }
  predict(xs: number[]) {
    return xs.map((x) => x - this.model.mean)
  }
}

/**
 * Learns the largest of its (centered) training numbers; predicts `{ centered, max }`, so a test
 * reads back exactly which models were loaded.
 *
 * @example
 * ```ts
 * new MaxOp(MLMode.FIT) // trains on [-1, 0, 1]: max 1
 * ```
 */
export class MaxOp extends PaddedModelOp<{ max: number }> {
  static override opName = 'maxop'
  initModel() {
    return { max: 0 }
  }
  fit(xs: number[]) {
    this.model = { max: Math.max(...xs) }
  }
  predict(xs: number[]) {
    return { centered: xs, max: this.model.max }
  }
}

/**
 * `train`: MeanOp (FIT_PREDICT) feeding MaxOp (FIT); `predict`: both in PREDICT mode. A call of
 * `predict` with `[x]` answers `{ centered: [x - mean], max }`.
 *
 * @example
 * ```ts
 * const app = new Chariots(modelPipelines(), { path })
 * ```
 */
export function modelPipelines(options: ModelOpOptions = {}): [train: Pipeline, predict: Pipeline] {
  const train = new Pipeline(
    [
      new Node(new MeanOp(MLMode.FIT_PREDICT, options), { inputNodes: [IN], outputNodes: 'centered' }),
      new Node(new MaxOp(MLMode.FIT, options), { inputNodes: ['centered'] }),
    ],
    'train',
  )
  const predict = new Pipeline(
    [
      new Node(new MeanOp(MLMode.PREDICT), { inputNodes: [IN], outputNodes: 'centered' }),
      new Node(new MaxOp(MLMode.PREDICT), { inputNodes: ['centered'], outputNodes: OUT }),
    ],
    'predict',
  )
  return [train, predict]
}

/** The models `train` learns from `xs`, as `predict` reveals them for input `[x]`. */
export function expectedPrediction(xs: number[], x: number): { centered: number[]; max: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  return { centered: [x - mean], max: Math.max(...xs.map((v) => v - mean)) }
}
