import { BaseOp, Node, Pipeline } from '@chariots/core'
import { z } from 'zod'

/** Whether a number is odd. */
export class IsOddOp extends BaseOp {
  static override opName = 'isoddop'
  execute(x: number): boolean {
    return x % 2 === 1
  }
}

/** The smallest pipeline: `is_odd(4)` is false. */
export function isOdd(): Pipeline {
  return new Pipeline(
    [new Node(new IsOddOp(), { inputNodes: ['__pipeline_input__'], outputNodes: '__pipeline_output__' })],
    'is_odd',
    { input: z.number().int(), output: z.boolean() },
  )
}
