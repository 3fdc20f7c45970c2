/** The constants {@link upperCaseConstants} makes: each value under its name in upper case. */
export type UpperCaseConstants<V extends string> = { readonly [K in V as Uppercase<K>]: K }

/**
 * The `as const` object of string constants that stands in for an enum (`MLMode`, `VersionType`):
 * each value under its name in upper case, in the order given. Its type's values are the union
 * type of the same name (`(typeof MLMode)[keyof typeof MLMode]`).
 *
 * @example
 * ```ts
 * const VersionType = upperCaseConstants('major', 'minor', 'patch') // { MAJOR: 'major', MINOR: 'minor', PATCH: 'patch' }
 * ```
 */
export function upperCaseConstants<const V extends string>(...values: V[]): UpperCaseConstants<V> {
  return Object.fromEntries(values.map((v) => [v.toUpperCase(), v])) as UpperCaseConstants<V>
}
