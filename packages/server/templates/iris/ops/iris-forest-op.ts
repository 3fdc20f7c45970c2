import { VersionedFieldDict, VersionType, versioned } from '@chariots/core'
import { RandomForestClassifier, SupervisedOp } from '@chariots/ml'

/** A random forest classifier on the PCA features. */
export class IrisForestOp extends SupervisedOp {
  static override opName = 'random_forest'
  static override modelClass = versioned(RandomForestClassifier, VersionType.MAJOR)
  static override modelParameters = new VersionedFieldDict(VersionType.MAJOR, {
    nEstimators: 25,
    seed: versioned(42, VersionType.PATCH),
  })
}
