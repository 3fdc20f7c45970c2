import { BaseOp } from '@chariots/core'

/** Whether a whole number is odd. */
export class IsOddOp extends BaseOp {
  static override opName = 'isoddop'

  execute(x: number): boolean {
    return Math.abs(x % 2) === 1
  }
}
