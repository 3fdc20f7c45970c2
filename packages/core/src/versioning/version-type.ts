/** Which sub-version a versioned field moves when its value changes. */
export const VersionType = {
  MAJOR: 'major',
  MINOR: 'minor',
  PATCH: 'patch',
} as const

/** `'major' | 'minor' | 'patch'`. */
export type VersionType = (typeof VersionType)[keyof typeof VersionType]
