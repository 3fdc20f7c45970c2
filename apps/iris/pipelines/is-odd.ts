import { Node, Pipeline, ReservedNodes } from '@chariots/core'
import { z } from 'zod'
import { IsOddOp } from '../ops/is-odd-op.js'

/** The smallest pipeline: `is_odd(4)` is false. Its zod schemas check the input and the output. */
export function isOdd(): Pipeline {
  return new Pipeline(
    [
      new Node(new IsOddOp(), {
        inputNodes: [ReservedNodes.pipelineInput],
        outputNodes: ReservedNodes.pipelineOutput,
      }),
    ],
    'is_odd',
    { input: z.number().int(), output: z.boolean() },
  )
}
