import { MLMode, Node, Pipeline, ReservedNodes } from '@chariots/core'
import { DownstreamOp, UpstreamOp } from './ml-ops.js'

const { pipelineInput: IN, pipelineOutput: OUT } = ReservedNodes

/** Trains both models: upstream FIT_PREDICT feeding downstream FIT. */
export const trainBoth = () =>
  new Pipeline(
    [
      new Node(new UpstreamOp(MLMode.FIT_PREDICT), { inputNodes: [IN], outputNodes: 'shifted' }),
      new Node(new DownstreamOp(MLMode.FIT), { inputNodes: ['shifted'] }),
    ],
    'train_both',
  )

/** Retrains the upstream model alone (which makes the saved downstream model outdated). */
export const trainUpstream = () =>
  new Pipeline([new Node(new UpstreamOp(MLMode.FIT), { inputNodes: [IN] })], 'train_upstream')

/** Predicts with both saved models. */
export const predict = () =>
  new Pipeline(
    [
      new Node(new UpstreamOp(MLMode.PREDICT), { inputNodes: [IN], outputNodes: 'shifted' }),
      new Node(new DownstreamOp(MLMode.PREDICT), { inputNodes: ['shifted'], outputNodes: OUT }),
    ],
    'predict',
  )
