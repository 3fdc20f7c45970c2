// Small ops and pipelines for the lifecycle tests: a model that learns the mean of its inputs (it
// keeps the default JSON serialization of MLOp), an upstream op whose code changes, and pipelines
// that train on the input or on a data file.
import {
  BaseOp,
  DataLoadingNode,
  DataSavingNode,
  JSONSerializer,
  MLMode,
  MLOp,
  Node,
  Pipeline,
  ReservedNodes,
  VersionType,
  versioned,
} from '@chariots/core'

const { pipelineInput: IN, pipelineOutput: OUT } = ReservedNodes

/** Learns the mean; predicts each number minus it. Saved as JSON by MLOp's default. */
export class MeanOp extends MLOp<number> {
  static override opName = 'mean'
  initModel() {
    return 0
  }
  fit(xs: number[]) {
    this.model = xs.reduce((a, b) => a + b, 0) / xs.length
  }
  predict(xs: number[]) {
    return xs.map((x) => x - this.model)
  }
}

/** Code A of an upstream op: passes numbers through. */
export class ScaleA extends BaseOp {
  static override opName = 'scale'
  static factor = versioned(1, VersionType.MAJOR)
  execute(xs: number[]) {
    return xs.map((x) => x * ScaleA.factor.value)
  }
}

/** Code B of the same op: its major field changed (it doubles). */
export class ScaleB extends BaseOp {
  static override opName = 'scale'
  static factor = versioned(2, VersionType.MAJOR)
  execute(xs: number[]) {
    return xs.map((x) => x * ScaleB.factor.value)
  }
}

/** scale → mean (FIT): trains the mean on the scaled input. */
export const trainScaled = (Scale: typeof ScaleA | typeof ScaleB) =>
  new Pipeline(
    [
      new Node(new Scale(), { inputNodes: [IN], outputNodes: 'scaled' }),
      new Node(new MeanOp(MLMode.FIT), { inputNodes: ['scaled'] }),
    ],
    'train',
  )

/** scale → mean (PREDICT). */
export const predictScaled = (Scale: typeof ScaleA | typeof ScaleB) =>
  new Pipeline(
    [
      new Node(new Scale(), { inputNodes: [IN], outputNodes: 'scaled' }),
      new Node(new MeanOp(MLMode.PREDICT), { inputNodes: ['scaled'], outputNodes: OUT }),
    ],
    'predict',
  )

/** Writes its input to `/data/numbers.json`. */
export const writeNumbers = () =>
  new Pipeline(
    [new DataSavingNode({ serializer: new JSONSerializer(), path: 'numbers.json', inputNodes: [IN] })],
    'write_numbers',
  )

const numbers = () =>
  new DataLoadingNode({
    serializer: new JSONSerializer(),
    path: 'numbers.json',
    outputNodes: 'xs',
    name: 'numbers',
  })

/** Trains the mean on `/data/numbers.json`. */
export const trainOnFile = () =>
  new Pipeline([numbers(), new Node(new MeanOp(MLMode.FIT), { inputNodes: ['xs'] })], 'train_on_file')

/** Predicts `/data/numbers.json` minus the mean (a batch prediction over the file). */
export const predictOnFile = () =>
  new Pipeline(
    [numbers(), new Node(new MeanOp(MLMode.PREDICT), { inputNodes: ['xs'], outputNodes: OUT })],
    'predict_on_file',
  )

/** Trains the mean on the input. */
export const trainMean = () =>
  new Pipeline([new Node(new MeanOp(MLMode.FIT), { inputNodes: [IN] })], 'train_mean')

/** Predicts with the saved mean. */
export const predictMean = () =>
  new Pipeline([new Node(new MeanOp(MLMode.PREDICT), { inputNodes: [IN], outputNodes: OUT })], 'predict_mean')
