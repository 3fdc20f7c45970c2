import { MLOp } from '@chariots/core'

const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))
const decode = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as number

/** Learns the mean of its inputs; predicts by adding it. */
export class UpstreamOp extends MLOp<number> {
  static override opName = 'upstreamop'
  initModel() {
    return 0
  }
  fit(xs: number[]) {
    this.model = xs.reduce((a, b) => a + b, 0) / xs.length
  }
  predict(xs: number[]) {
    return xs.map((x) => x + this.model)
  }
  override serializeModel(model: number) {
    return encode(model)
  }
  override loadModel(bytes: Uint8Array) {
    return decode(bytes)
  }
}

/** Learns the max of its inputs; predicts whether each input is above it. */
export class DownstreamOp extends MLOp<number> {
  static override opName = 'downstreamop'
  initModel() {
    return 0
  }
  fit(xs: number[]) {
    this.model = Math.max(...xs)
  }
  predict(xs: number[]) {
    return xs.map((x) => x >= this.model)
  }
  override serializeModel(model: number) {
    return encode(model)
  }
  override loadModel(bytes: Uint8Array) {
    return decode(bytes)
  }
}
