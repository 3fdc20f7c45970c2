import { describe, expect, it } from 'vitest'
import { BaseOp } from '../ops/base-op.js'
import { EMPTY_HASH } from './version.js'
import { versionOf } from './version-of.js'
import { versionPlainStatic } from './version-plain-static.js'
import { VersionType } from './version-type.js'
import { versioned } from './versioned-field.js'

class PCA {}
class KNN {}

abstract class ModelBaseOp extends BaseOp {
  static model: unknown
  static other: unknown
}
versionPlainStatic(ModelBaseOp, 'model', VersionType.MAJOR)

describe('versionPlainStatic', () => {
  it('makes a plain static hash exactly as the versioned form of the same value', () => {
    class PlainOp extends ModelBaseOp {
      static override model = PCA
      execute() {}
    }
    class VersionedOp extends BaseOp {
      static model = versioned(PCA, VersionType.MAJOR)
      execute() {}
    }
    expect(versionOf(PlainOp).major).not.toBe(EMPTY_HASH)
    expect(versionOf(PlainOp).equals(versionOf(VersionedOp))).toBe(true)
  })

  it('moves the declared sub-version with the value, in subclasses of subclasses too', () => {
    class PCAOp extends ModelBaseOp {
      static override model = PCA
      execute() {}
    }
    class KNNOp extends PCAOp {
      static override model = KNN
    }
    expect(versionOf(KNNOp).major).not.toBe(versionOf(PCAOp).major)
    expect(versionOf(KNNOp).minor).toBe(versionOf(PCAOp).minor)
    expect(versionOf(KNNOp).patch).toBe(versionOf(PCAOp).patch)
  })

  it('leaves undeclared plain statics and undefined values out of the version', () => {
    class Bare extends ModelBaseOp {
      execute() {}
    }
    class WithOther extends ModelBaseOp {
      static override other = PCA
      execute() {}
    }
    expect(versionOf(Bare).major).toBe(EMPTY_HASH)
    expect(versionOf(WithOther).major).toBe(EMPTY_HASH)
  })

  it('keeps a versioned value as declared (its own sub-version wins)', () => {
    class PatchOp extends ModelBaseOp {
      static override model = versioned(PCA, VersionType.PATCH)
      execute() {}
    }
    expect(versionOf(PatchOp).major).toBe(EMPTY_HASH)
    expect(versionOf(PatchOp).patch).not.toBe(EMPTY_HASH)
  })
})
