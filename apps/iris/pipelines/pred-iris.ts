import { MLMode, Node, Pipeline } from '@chariots/core'
import { z } from 'zod'
import { IrisForestOp } from '../ops/iris-forest-op.js'
import { IrisPCAOp } from '../ops/iris-pca-op.js'
import { SpeciesOp } from '../ops/species-op.js'

/** Flowers to classify: rows of sepal length, sepal width, petal length, petal width (cm). */
export const IrisInput = z.array(z.array(z.number()).length(4)).min(1)

/** Predicts species with the saved PCA and forest; loaded once `train_iris` was run and saved. */
export function predIris(): Pipeline {
  return new Pipeline(
    [
      new Node(new IrisPCAOp(MLMode.PREDICT), { inputNodes: ['__pipeline_input__'], outputNodes: 'x_pca' }),
      new Node(new IrisForestOp(MLMode.PREDICT), { inputNodes: ['x_pca'], outputNodes: 'label' }),
      new Node(new SpeciesOp(), { inputNodes: ['label'], outputNodes: '__pipeline_output__' }),
    ],
    'pred_iris',
    // Concurrent calls are merged into one run: every op here maps rows to rows on its own.
    { input: IrisInput, output: z.array(z.string()), batch: { maxSize: 256 } },
  )
}
