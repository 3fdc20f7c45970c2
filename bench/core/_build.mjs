import {
  FileSaver,
  MLMode,
  MLOp,
  Node,
  OpStore,
  Pipeline,
  ReservedNodes,
  SequentialRunner,
} from '@chariots/core'

const IN = ReservedNodes.pipelineInput
class MeanOp extends MLOp {
  static opName = 'mean'
  initModel() {
    return 0
  }
  fit(xs) {
    this.model = xs.reduce((a, b) => a + b, 0) / xs.length
  }
  predict(xs) {
    return xs.map((x) => x - this.model)
  }
}
class ScaleOp extends MLOp {
  static opName = 'scale'
  initModel() {
    return 1
  }
  fit(xs) {
    this.model = Math.max(...xs.map(Math.abs)) || 1
  }
  predict(xs) {
    return xs.map((x) => x / this.model)
  }
}
const p = new Pipeline(
  [
    new Node(new MeanOp(MLMode.FIT_PREDICT), { inputNodes: [IN], outputNodes: 'c' }),
    new Node(new ScaleOp(MLMode.FIT), { inputNodes: ['c'] }),
  ],
  'train',
)
const store = new OpStore(new FileSaver(process.argv[2]), { retention: false })
const r = new SequentialRunner()
for (let i = 0; i < 1000; i++) {
  await r.run(p, [i, 2 * i + 1, 3 * i + 7])
  await p.save(store)
}
