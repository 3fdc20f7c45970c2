import { createHash, type Hash } from 'node:crypto'
import { Version } from './version.js'
import { plainStaticVersionType } from './version-plain-static.js'
import type { VersionType } from './version-type.js'
import { VersionedField } from './versioned-field.js'
import { VersionedFieldDict } from './versioned-field-dict.js'

/** Any class (or function) whose static fields declare a version. */
// biome-ignore lint/complexity/noBannedTypes: every class is a Function; the version reads its statics.
export type VersionedClass = Function

const cache = new WeakMap<VersionedClass, Version>()

/**
 * The version of a class, from its own and its ancestors' static `VersionedField` and
 * `VersionedFieldDict` properties, sorted by name (a subclass's field hides its parent's of the same
 * name), and the plain values of statics declared with `versionPlainStatic`. Computed once per
 * class, lazily.
 *
 * @example
 * ```ts
 * versionOf(PCAOp).major // 40-hex digest
 * ```
 */
export function versionOf(cls: VersionedClass): Version {
  let v = cache.get(cls)
  if (!v) {
    v = computeVersion(cls)
    cache.set(cls, v)
  }
  return v
}

function computeVersion(cls: VersionedClass): Version {
  const fields = new Map<string, VersionedField | VersionedFieldDict>()
  for (
    let c: unknown = cls;
    typeof c === 'function' && c !== Function.prototype;
    c = Object.getPrototypeOf(c)
  ) {
    for (const name of Object.getOwnPropertyNames(c)) {
      if (fields.has(name)) continue
      const desc = Object.getOwnPropertyDescriptor(c, name)
      const value = desc && 'value' in desc ? desc.value : undefined
      if (value instanceof VersionedField || value instanceof VersionedFieldDict) {
        fields.set(name, value)
      } else if (value !== undefined) {
        // A plain value of a static a base class declared versioned (versionPlainStatic).
        const type = plainStaticVersionType(cls, name)
        if (type !== undefined) fields.set(name, new VersionedField(value, type))
      }
    }
  }
  const hashes: Record<VersionType, Hash> = {
    major: createHash('sha1'),
    minor: createHash('sha1'),
    patch: createHash('sha1'),
  }
  for (const name of [...fields.keys()].sort()) {
    const field = fields.get(name)!
    if (field instanceof VersionedField) {
      hashes[field.versionType].update(`${name}=${field.canonical};`)
    } else {
      for (const key of [...field.fields.keys()].sort()) {
        const entry = field.fields.get(key)!
        hashes[entry.versionType].update(`${name}.${key}=${entry.canonical};`)
      }
    }
  }
  return new Version({
    major: hashes.major.digest('hex'),
    minor: hashes.minor.digest('hex'),
    patch: hashes.patch.digest('hex'),
  })
}
