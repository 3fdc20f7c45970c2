import { describe, expect, it } from 'vitest'
import { ChariotsError } from '../errors/chariots-error.js'
import { sha1Hex } from './canonical-json.js'
import { EMPTY_HASH, Version } from './version.js'

const A = 'a'.repeat(40)
const B = 'b'.repeat(40)
const C = 'c'.repeat(40)

describe('Version', () => {
  it('defaults every digest to the SHA-1 of nothing', () => {
    expect(EMPTY_HASH).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709')
    const v = new Version()
    expect([v.major, v.minor, v.patch]).toEqual([EMPTY_HASH, EMPTY_HASH, EMPTY_HASH])
  })

  it('writes <major>.<minor>.<patch>_<creationTime> and parses it back', () => {
    const v = new Version({ major: A, minor: B, patch: C, creationTime: 1764493200.123456 })
    expect(v.toString()).toBe(`${A}.${B}.${C}_1764493200.123456`)
    const back = Version.parse(v.toString())
    expect(back.major).toBe(A)
    expect(back.minor).toBe(B)
    expect(back.patch).toBe(C)
    expect(back.creationTime).toBe(1764493200.123456)
    expect(back.toString()).toBe(v.toString())
    expect(JSON.stringify({ v })).toBe(JSON.stringify({ v: v.toString() }))
  })

  it('round-trips a version made now (creation time with at least millisecond precision)', () => {
    const before = Date.now() / 1000
    const v = new Version({ major: A })
    const after = Date.now() / 1000
    expect(v.creationTime).toBeGreaterThanOrEqual(before - 0.001)
    expect(v.creationTime).toBeLessThanOrEqual(after + 0.001)
    const back = Version.parse(v.toString())
    expect(back.creationTime).toBe(v.creationTime)
    expect(back.equals(v)).toBe(true)
  })

  it('is equal when the three digests are, whatever the creation times', () => {
    const early = new Version({ major: A, minor: B, patch: C, creationTime: 1 })
    const late = new Version({ major: A, minor: B, patch: C, creationTime: 2 })
    expect(early.equals(late)).toBe(true)
    expect(early.compare(late)).toBe(0)
    expect(late.greaterThan(early)).toBe(false)
    expect(late.lessThan(early)).toBe(false)
  })

  it('orders different versions by creation time', () => {
    const older = new Version({ major: B, creationTime: 100 })
    const newer = new Version({ major: A, creationTime: 200 })
    expect(newer.greaterThan(older)).toBe(true)
    expect(older.lessThan(newer)).toBe(true)
    expect(older.compare(newer)).toBeLessThan(0)
    expect(newer.compare(older)).toBeGreaterThan(0)
    expect([newer, older].sort((x, y) => x.compare(y))).toEqual([older, newer])
  })

  it('gives versions made one after the other increasing creation times', () => {
    const first = new Version({ major: A })
    const second = new Version({ major: B })
    expect(second.creationTime).toBeGreaterThan(first.creationTime)
    expect(second.greaterThan(first)).toBe(true)
  })

  it('add combines each digest and keeps the later creation time', () => {
    const x = new Version({ major: A, minor: B, patch: C, creationTime: 10 })
    const y = new Version({ major: C, minor: A, patch: B, creationTime: 20 })
    const sum = x.add(y)
    expect(sum.major).toBe(sha1Hex(A + C))
    expect(sum.minor).toBe(sha1Hex(B + A))
    expect(sum.patch).toBe(sha1Hex(C + B))
    expect(sum.creationTime).toBe(20)
    expect(y.add(x).creationTime).toBe(20)
    expect(sum.equals(x)).toBe(false)
  })

  it.each([
    'garbage',
    '',
    `${A}.${B}_1`,
    `${A}.${B}.${C}`,
    `${A}.${B}.${C}_now`,
    `${A.toUpperCase()}.${B}.${C}_1`,
    `${A}x.${B}.${C}_1`,
  ])('refuses to parse %j with INVALID_VERSION', (text) => {
    let caught: unknown
    try {
      Version.parse(text)
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(ChariotsError)
    expect((caught as ChariotsError).code).toBe('INVALID_VERSION')
  })

  it('refuses a digest that is not 40 hex characters', () => {
    expect(() => new Version({ major: 'abc' })).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }))
  })
})
