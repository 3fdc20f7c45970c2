import type { VersionType } from './version-type.js'
import { VersionedField } from './versioned-field.js'

type Plain<T> = { [K in keyof T]: T[K] extends VersionedField<infer V> ? V : T[K] }

/**
 * A record of static values that all count in the class's version: each entry moves the dict's
 * default sub-version unless it is itself a `versioned(value, type)` naming another.
 *
 * The entry type `T` types `get`, `set` and `toObject` (through their `this`) but not the
 * dict's assignability, so a subclass of a subclass can override a static dict with other entries
 * (`static override fitParams = new VersionedFieldDict(VersionType.MAJOR, { batchSize: 10 })` under
 * a parent that declared `{ epochs, batchSize }`).
 *
 * @example
 * ```ts
 * static modelParameters = new VersionedFieldDict(VersionType.MAJOR, {
 *   nComponents: 2,
 *   tolerance: versioned(1e-6, VersionType.PATCH),
 * })
 * PCAOp.modelParameters.get('nComponents') // 2
 * ```
 */
export class VersionedFieldDict<T extends Record<string, unknown> = Record<string, unknown>> {
  readonly defaultVersionType: VersionType
  readonly fields: ReadonlyMap<string, VersionedField>

  constructor(defaultVersionType: VersionType, entries: T) {
    this.defaultVersionType = defaultVersionType
    const fields = new Map<string, VersionedField>()
    for (const [key, value] of Object.entries(entries)) {
      fields.set(key, value instanceof VersionedField ? value : new VersionedField(value, defaultVersionType))
    }
    this.fields = fields
  }

  // `this: VersionedFieldDict<E>` rather than `T` in these signatures keeps T out of the dict's
  // variance: TypeScript then compares any two dicts as assignable.

  /** The current value of one entry. */
  get<E extends Record<string, unknown>, K extends keyof E & string>(
    this: VersionedFieldDict<E>,
    key: K,
  ): Plain<E>[K] {
    return this.fields.get(key)?.value as Plain<E>[K]
  }

  /** Changes one entry's value at run time (the class version does not move). */
  set<E extends Record<string, unknown>, K extends keyof E & string>(
    this: VersionedFieldDict<E>,
    key: K,
    value: Plain<E>[K],
  ): void {
    const field = this.fields.get(key)
    if (field) field.value = value
    else
      (this.fields as Map<string, VersionedField>).set(
        key,
        new VersionedField(value, this.defaultVersionType),
      )
  }

  has(key: string): boolean {
    return this.fields.has(key)
  }

  keys(): string[] {
    return [...this.fields.keys()]
  }

  /** The plain record of current values. */
  toObject<E extends Record<string, unknown>>(this: VersionedFieldDict<E>): Plain<E> {
    const out: Record<string, unknown> = {}
    for (const [k, f] of this.fields) out[k] = f.value
    return out as Plain<E>
  }
}
