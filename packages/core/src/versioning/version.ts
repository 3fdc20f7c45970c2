import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import { sha1Hex } from './canonical-json.js'
import type { VersionType } from './version-type.js'

const HEX40 = /^[0-9a-f]{40}$/
const VERSION_RE = /^([0-9a-f]{40})\.([0-9a-f]{40})\.([0-9a-f]{40})_(\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/
/** SHA-1 of nothing: the hash of a sub-version no field contributes to. */
export const EMPTY_HASH = sha1Hex('')

let lastCreationTime = 0

/**
 * Seconds since the epoch with microsecond precision, strictly increasing within a process so two
 * versions made one after the other always order.
 */
export function nowSeconds(): number {
  const t = Math.round((performance.timeOrigin + performance.now()) * 1000) / 1e6
  lastCreationTime = t > lastCreationTime ? t : Math.round((lastCreationTime + 1e-6) * 1e6) / 1e6
  return lastCreationTime
}

/** The fields of a {@link Version}. */
export interface VersionInit {
  major?: string
  minor?: string
  patch?: string
  /** Seconds since the epoch (float); defaults to now. */
  creationTime?: number
}

/**
 * A version: three SHA-1 digests (major, minor, patch) and a creation time. Two versions are equal
 * when the three digests are; otherwise the later creation time is the greater.
 *
 * @example
 * ```ts
 * const v = Version.parse(`${'a'.repeat(40)}.${'b'.repeat(40)}.${'c'.repeat(40)}_1764493200.123`)
 * v.toString() === Version.parse(v.toString()).toString() // true
 * ```
 */
export class Version {
  readonly major: string
  readonly minor: string
  readonly patch: string
  readonly creationTime: number

  constructor(init: VersionInit = {}) {
    this.major = checkHash(init.major ?? EMPTY_HASH, 'major')
    this.minor = checkHash(init.minor ?? EMPTY_HASH, 'minor')
    this.patch = checkHash(init.patch ?? EMPTY_HASH, 'patch')
    this.creationTime = init.creationTime ?? nowSeconds()
  }

  /** Seconds since the epoch, strictly increasing within the process. */
  static now(): number {
    return nowSeconds()
  }

  /** Reads `<major>.<minor>.<patch>_<creationTime>` back into a Version. */
  static parse(text: string): Version {
    const m = VERSION_RE.exec(typeof text === 'string' ? text.trim() : '')
    if (!m) {
      throw new ChariotsError(
        ErrorCode.INVALID_VERSION,
        `'${String(text).slice(0, 200)}' is not a version string: expected <major>.<minor>.<patch>_<creationTime> with three 40-hex SHA-1 digests`,
      )
    }
    return new Version({ major: m[1]!, minor: m[2]!, patch: m[3]!, creationTime: Number(m[4]) })
  }

  /** `<major>.<minor>.<patch>_<creationTime>`, the form the wire and the store use. */
  toString(): string {
    return `${this.major}.${this.minor}.${this.patch}_${this.creationTime}`
  }

  toJSON(): string {
    return this.toString()
  }

  /** The digest of one sub-version. */
  get(type: VersionType): string {
    return this[type]
  }

  /** A version whose every digest combines this one's and `other`'s; the later creation time. */
  add(other: Version): Version {
    return new Version({
      major: sha1Hex(this.major + other.major),
      minor: sha1Hex(this.minor + other.minor),
      patch: sha1Hex(this.patch + other.patch),
      creationTime: Math.max(this.creationTime, other.creationTime),
    })
  }

  /** True when the three digests are equal (creation time aside). */
  equals(other: Version): boolean {
    return this.major === other.major && this.minor === other.minor && this.patch === other.patch
  }

  /** 0 when equal, else negative when this one was created earlier than `other`. */
  compare(other: Version): number {
    if (this.equals(other)) return 0
    return this.creationTime - other.creationTime || (this.toString() < other.toString() ? -1 : 1)
  }

  greaterThan(other: Version): boolean {
    return this.compare(other) > 0
  }

  lessThan(other: Version): boolean {
    return this.compare(other) < 0
  }
}

function checkHash(hash: string, which: string): string {
  if (!HEX40.test(hash)) {
    throw new ChariotsError(
      ErrorCode.INVALID_VERSION,
      `the ${which} digest '${hash}' is not 40 lower-case hex characters`,
    )
  }
  return hash
}
