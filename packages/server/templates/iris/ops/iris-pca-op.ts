import { VersionedFieldDict, VersionType, versioned } from '@chariots/core'
import { PCA, UnsupervisedOp } from '@chariots/ml'

/** PCA down to 2 components. */
export class IrisPCAOp extends UnsupervisedOp {
  static override opName = 'pca'
  static override modelClass = versioned(PCA, VersionType.MAJOR)
  static override modelParameters = new VersionedFieldDict(VersionType.MAJOR, { nComponents: 2 })
}
