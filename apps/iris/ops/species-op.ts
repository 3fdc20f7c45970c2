import { BaseOp } from '@chariots/core'
import { XYSplitOp } from './xy-split-op.js'

/** Turns predicted class indices back into species names. */
export class SpeciesOp extends BaseOp {
  static override opName = 'species'
  static override rowWise = true

  execute(labels: number[]): string[] {
    const classes = XYSplitOp.classes.value
    return labels.map((l) => classes[l] ?? `class_${l}`)
  }
}
