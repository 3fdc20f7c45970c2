import { canonicalJson } from './canonical-json.js'
import type { VersionType } from './version-type.js'

/**
 * A static field whose value counts in its class's version. The hash is taken from the value it
 * was declared with: changing `.value` at run time does not move the version.
 *
 * @example
 * ```ts
 * class MyOp extends BaseOp {
 *   static threshold = versioned(0.5, VersionType.MINOR)
 *   execute(x: number) { return x > MyOp.threshold.value }
 * }
 * ```
 */
export class VersionedField<T = unknown> {
  value: T
  readonly versionType: VersionType
  /** Canonical JSON of the declared value, what the class version hashes. */
  readonly canonical: string

  constructor(value: T, versionType: VersionType) {
    this.value = value
    this.versionType = versionType
    this.canonical = canonicalJson(value)
  }

  toCanonical(): unknown {
    return JSON.parse(this.canonical)
  }
}

/**
 * Declares a versioned static field.
 *
 * @example
 * ```ts
 * static modelClass = versioned(PCA, VersionType.MAJOR)
 * ```
 */
export function versioned<T>(value: T, versionType: VersionType): VersionedField<T> {
  return new VersionedField(value, versionType)
}
