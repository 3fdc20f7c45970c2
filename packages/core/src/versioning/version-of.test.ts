import { describe, expect, it } from 'vitest'
import { BaseOp } from '../ops/base-op.js'
import { EMPTY_HASH, type Version } from './version.js'
import { versionOf } from './version-of.js'
import { VersionType } from './version-type.js'
import { VersionedField, versioned } from './versioned-field.js'
import { VersionedFieldDict } from './versioned-field-dict.js'

/** Which sub-versions differ between two versions. */
function moved(a: Version, b: Version): string[] {
  return (['major', 'minor', 'patch'] as const).filter((k) => a[k] !== b[k])
}

describe('class versions', () => {
  it('a class with no versioned fields has the SHA-1 of nothing as each digest', () => {
    class PlainOp extends BaseOp {
      execute(x: number) {
        return x
      }
    }
    const v = PlainOp.version
    expect(v.major).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709')
    expect(v.minor).toBe(EMPTY_HASH)
    expect(v.patch).toBe(EMPTY_HASH)
  })

  it('is computed once: the same Version object each time, from versionOf and .version', () => {
    class OnceOp extends BaseOp {
      static k = versioned(1, VersionType.MAJOR)
      execute() {}
    }
    expect(OnceOp.version).toBe(OnceOp.version)
    expect(versionOf(OnceOp)).toBe(OnceOp.version)
    expect(new OnceOp().opVersion).toBe(OnceOp.version)
  })

  it.each([VersionType.MAJOR, VersionType.MINOR, VersionType.PATCH])(
    'a %s field change moves only its own digest, and the newer version is greater',
    (type) => {
      class OldOp extends BaseOp {
        static threshold = versioned(0.5, type)
        static other = versioned('same', type === VersionType.MAJOR ? VersionType.MINOR : VersionType.MAJOR)
        execute() {}
      }
      class NewOp extends BaseOp {
        static threshold = versioned(0.6, type)
        static other = versioned('same', type === VersionType.MAJOR ? VersionType.MINOR : VersionType.MAJOR)
        execute() {}
      }
      const older = OldOp.version
      const newer = NewOp.version
      expect(moved(older, newer)).toEqual([type])
      expect(newer[type]).not.toBe(EMPTY_HASH)
      expect(newer.greaterThan(older)).toBe(true)
      expect(older.lessThan(newer)).toBe(true)
      expect(newer.compare(older)).toBeGreaterThan(0)
    },
  )

  it('the same fields give the same digests in two classes (names and declaration order aside)', () => {
    class One extends BaseOp {
      static a = versioned({ x: 1, y: [1, 2] }, VersionType.MAJOR)
      static b = versioned('b', VersionType.MINOR)
      execute() {}
    }
    class Two extends BaseOp {
      static b = versioned('b', VersionType.MINOR)
      static a = versioned({ y: [1, 2], x: 1 }, VersionType.MAJOR)
      execute() {}
    }
    expect(One.version.equals(Two.version)).toBe(true)
  })

  it('the field name counts: the same value under another name is another version', () => {
    class One extends BaseOp {
      static alpha = versioned(1, VersionType.MAJOR)
      execute() {}
    }
    class Two extends BaseOp {
      static beta = versioned(1, VersionType.MAJOR)
      execute() {}
    }
    expect(moved(One.version, Two.version)).toEqual(['major'])
  })

  it('ignores static properties that are not versioned fields', () => {
    class One extends BaseOp {
      static k = versioned(1, VersionType.MAJOR)
      execute() {}
    }
    class Two extends BaseOp {
      static override opName = 'two'
      static k = versioned(1, VersionType.MAJOR)
      static notVersioned = 42
      execute() {}
    }
    expect(One.version.equals(Two.version)).toBe(true)
  })

  it('changing .value at run time does not move the version, before or after it was first read', () => {
    class RuntimeOp extends BaseOp {
      static threshold = versioned(0.5, VersionType.MAJOR)
      static params = new VersionedFieldDict(VersionType.MINOR, { depth: 3 })
      execute() {}
    }
    class Reference extends BaseOp {
      static threshold = versioned(0.5, VersionType.MAJOR)
      static params = new VersionedFieldDict(VersionType.MINOR, { depth: 3 })
      execute() {}
    }
    RuntimeOp.threshold.value = 0.9 // before the version is first computed
    RuntimeOp.params.set('depth', 7)
    const v = RuntimeOp.version
    expect(v.equals(Reference.version)).toBe(true)
    RuntimeOp.threshold.value = 0.1 // and after
    expect(RuntimeOp.version).toBe(v)
    expect(RuntimeOp.threshold.value).toBe(0.1)
    expect(RuntimeOp.params.get('depth')).toBe(7)
  })

  it('a class-valued field hashes by the class name', () => {
    const makeModel = (name: string) =>
      ({
        [name]: class {
          fit() {}
        },
      })[name]!
    class PCAOp extends BaseOp {
      static modelClass = versioned(makeModel('PCA'), VersionType.MAJOR)
      execute() {}
    }
    class SamePCAOp extends BaseOp {
      static modelClass = versioned(makeModel('PCA'), VersionType.MAJOR)
      execute() {}
    }
    class KMeansOp extends BaseOp {
      static modelClass = versioned(makeModel('KMeans'), VersionType.MAJOR)
      execute() {}
    }
    expect(PCAOp.modelClass.value).not.toBe(SamePCAOp.modelClass.value)
    expect(PCAOp.version.equals(SamePCAOp.version)).toBe(true)
    expect(moved(PCAOp.version, KMeansOp.version)).toEqual(['major'])
    expect(PCAOp.version.major).not.toBe(EMPTY_HASH)
  })
})

describe('inheritance', () => {
  class ParentOp extends BaseOp {
    static modelName = versioned('pca', VersionType.MAJOR)
    static tolerance = versioned(1e-6, VersionType.PATCH)
    execute() {}
  }

  it('a child with no fields of its own has its parent version', () => {
    class ChildOp extends ParentOp {}
    expect(ChildOp.version.equals(ParentOp.version)).toBe(true)
    expect(ChildOp.version.major).not.toBe(EMPTY_HASH)
  })

  it("a child's own field adds to its parent's", () => {
    class ChildOp extends ParentOp {
      static extra = versioned(1, VersionType.MINOR)
    }
    expect(moved(ParentOp.version, ChildOp.version)).toEqual(['minor'])
  })

  it("a child overriding a field by name replaces the parent's value", () => {
    class ChildOp extends ParentOp {
      static override tolerance = versioned(1e-3, VersionType.PATCH)
    }
    class Flat extends BaseOp {
      static modelName = versioned('pca', VersionType.MAJOR)
      static tolerance = versioned(1e-3, VersionType.PATCH)
      execute() {}
    }
    expect(moved(ParentOp.version, ChildOp.version)).toEqual(['patch'])
    expect(ChildOp.version.equals(Flat.version)).toBe(true)
    expect(ParentOp.tolerance.value).toBe(1e-6)
  })

  it('a grandchild inherits through the whole chain', () => {
    class ChildOp extends ParentOp {
      static extra = versioned(1, VersionType.MINOR)
    }
    class GrandChildOp extends ChildOp {}
    class Flat extends BaseOp {
      static modelName = versioned('pca', VersionType.MAJOR)
      static tolerance = versioned(1e-6, VersionType.PATCH)
      static extra = versioned(1, VersionType.MINOR)
      execute() {}
    }
    expect(GrandChildOp.version.equals(Flat.version)).toBe(true)
  })
})

describe('VersionedFieldDict', () => {
  const params = () =>
    new VersionedFieldDict(VersionType.MAJOR, {
      nComponents: 2,
      tolerance: versioned(1e-6, VersionType.PATCH),
      names: ['a', 'b'],
    })

  it('get gives each current value, toObject the plain record', () => {
    const dict = params()
    expect(dict.get('nComponents')).toBe(2)
    expect(dict.get('tolerance')).toBe(1e-6)
    expect(dict.get('names')).toEqual(['a', 'b'])
    expect(dict.toObject()).toEqual({ nComponents: 2, tolerance: 1e-6, names: ['a', 'b'] })
    expect(dict.has('nComponents')).toBe(true)
    expect(dict.has('nope')).toBe(false)
    expect(dict.keys().sort()).toEqual(['nComponents', 'names', 'tolerance'])
  })

  it('entries use the default sub-version unless wrapped in versioned(v, type)', () => {
    const dict = params()
    expect(dict.fields.get('nComponents')).toBeInstanceOf(VersionedField)
    expect(dict.fields.get('nComponents')!.versionType).toBe(VersionType.MAJOR)
    expect(dict.fields.get('tolerance')!.versionType).toBe(VersionType.PATCH)
  })

  it('changing a default entry moves only the default sub-version', () => {
    class OneOp extends BaseOp {
      static modelParameters = new VersionedFieldDict(VersionType.MAJOR, {
        nComponents: 2,
        tolerance: versioned(1e-6, VersionType.PATCH),
      })
      execute() {}
    }
    class TwoOp extends BaseOp {
      static modelParameters = new VersionedFieldDict(VersionType.MAJOR, {
        nComponents: 3,
        tolerance: versioned(1e-6, VersionType.PATCH),
      })
      execute() {}
    }
    expect(moved(OneOp.version, TwoOp.version)).toEqual(['major'])
    expect(TwoOp.version.greaterThan(OneOp.version)).toBe(true)
  })

  it('changing an entry declared versioned(v, PATCH) moves only the patch', () => {
    class OneOp extends BaseOp {
      static modelParameters = new VersionedFieldDict(VersionType.MAJOR, {
        nComponents: 2,
        tolerance: versioned(1e-6, VersionType.PATCH),
      })
      execute() {}
    }
    class TwoOp extends BaseOp {
      static modelParameters = new VersionedFieldDict(VersionType.MAJOR, {
        nComponents: 2,
        tolerance: versioned(1e-4, VersionType.PATCH),
      })
      execute() {}
    }
    expect(moved(OneOp.version, TwoOp.version)).toEqual(['patch'])
    expect(OneOp.version.minor).toBe(EMPTY_HASH)
    expect(OneOp.version.patch).not.toBe(EMPTY_HASH)
  })

  it("a dict's default sub-version decides which digest its entries move", () => {
    class MinorOne extends BaseOp {
      static p = new VersionedFieldDict(VersionType.MINOR, { depth: 3 })
      execute() {}
    }
    class MinorTwo extends BaseOp {
      static p = new VersionedFieldDict(VersionType.MINOR, { depth: 4 })
      execute() {}
    }
    expect(moved(MinorOne.version, MinorTwo.version)).toEqual(['minor'])
  })
})
