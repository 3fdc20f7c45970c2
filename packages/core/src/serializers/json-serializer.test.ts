import { describe, expect, it } from 'vitest'
import { ChariotsError } from '../errors/chariots-error.js'
import { JSONSerializer } from './json-serializer.js'

describe('JSONSerializer', () => {
  const json = new JSONSerializer()

  it('round-trips nested JSON values as UTF-8 bytes', () => {
    const value = { name: 'iris ✿', sizes: [1, 2.5, -3], nested: { ok: true, none: null }, empty: [] }
    const bytes = json.serialize(value)
    expect(bytes).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(bytes).toString('utf8')).toBe(JSON.stringify(value))
    expect(json.deserialize(bytes)).toEqual(value)
  })

  it('writes undefined as null, so the bytes always parse', () => {
    expect(json.deserialize(json.serialize(undefined))).toBeNull()
  })

  it('reads a view into a larger buffer by its own bytes only', () => {
    const whole = Buffer.from('xx[1,2]yy', 'utf8')
    expect(json.deserialize(whole.subarray(2, 7))).toEqual([1, 2])
  })

  it('refuses bytes that are not JSON with SERIALIZATION_ERROR', () => {
    let err: unknown
    try {
      json.deserialize(Buffer.from('{"a": 1', 'utf8'))
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ChariotsError)
    expect((err as ChariotsError).code).toBe('SERIALIZATION_ERROR')
    expect((err as ChariotsError).message).toMatch(/not valid JSON/)
  })
})
