import { upperCaseConstants } from '../constants/upper-case-constants.js'

/**
 * Which sub-version a versioned field moves when its value changes: `VersionType.MAJOR`,
 * `VersionType.MINOR`, `VersionType.PATCH`.
 */
export const VersionType = upperCaseConstants('major', 'minor', 'patch')

/** `'major' | 'minor' | 'patch'`. */
export type VersionType = (typeof VersionType)[keyof typeof VersionType]
