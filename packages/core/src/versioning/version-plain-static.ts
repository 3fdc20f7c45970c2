import type { VersionType } from './version-type.js'

// biome-ignore lint/complexity/noBannedTypes: every class is a Function; the registry keys classes.
const registry = new WeakMap<Function, Map<string, VersionType>>()

/**
 * Declares that a static of `cls` and its subclasses counts in the class version even when a
 * subclass sets it to a plain value: `static modelClass = PCA` then hashes exactly as
 * `static modelClass = versioned(PCA, versionType)` would. A base class calls it once, at its
 * definition, before any subclass's version is read (versions are computed once, lazily).
 *
 * @example
 * ```ts
 * abstract class ModelOp extends MLOp { static modelClass: unknown }
 * versionPlainStatic(ModelOp, 'modelClass', VersionType.MAJOR)
 * class PCAOp extends ModelOp { static override modelClass = PCA }
 * versionOf(PCAOp) // the same as with versioned(PCA, VersionType.MAJOR)
 * ```
 */
// biome-ignore lint/complexity/noBannedTypes: any class (or function) may declare its statics.
export function versionPlainStatic(cls: Function, name: string, versionType: VersionType): void {
  let names = registry.get(cls)
  if (!names) {
    names = new Map()
    registry.set(cls, names)
  }
  names.set(name, versionType)
}

/** The sub-version a plain value of static `name` counts in for `cls`, if it or an ancestor declared one. */
// biome-ignore lint/complexity/noBannedTypes: any class (or function) may declare its statics.
export function plainStaticVersionType(cls: Function, name: string): VersionType | undefined {
  for (
    let c: unknown = cls;
    typeof c === 'function' && c !== Function.prototype;
    c = Object.getPrototypeOf(c)
  ) {
    const type = registry.get(c)?.get(name)
    if (type !== undefined) return type
  }
  return undefined
}
