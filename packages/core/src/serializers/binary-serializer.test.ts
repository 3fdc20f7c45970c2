import { randomBytes } from 'node:crypto'
import { serialize as v8Serialize } from 'node:v8'
import { describe, expect, it } from 'vitest'
import { ChariotsError } from '../errors/chariots-error.js'
import { BinarySerializer } from './binary-serializer.js'

const bin = new BinarySerializer()

function errorOf(fn: () => unknown): ChariotsError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(ChariotsError)
    return e as ChariotsError
  }
  throw new Error('expected an error, and nothing was thrown')
}

describe('BinarySerializer', () => {
  it('round-trips Map, Set, Date, typed arrays, bigint and nested objects', () => {
    const value = {
      labels: new Map<string, unknown>([
        ['setosa', new Set([0, 1])],
        ['virginica', { nested: [new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))] }],
      ]),
      weights: new Float64Array([0.1, -2.5, Number.MAX_VALUE, Number.NaN]),
      raw: new Uint8Array([0, 1, 254, 255]),
      count: 12345678901234567890n,
      deep: { a: { b: { c: [1, 'two', null, true, undefined] } } },
    }
    const back = bin.deserialize(bin.serialize(value)) as typeof value
    expect(back).toEqual(value)
    expect(back.labels).toBeInstanceOf(Map)
    expect(back.labels.get('setosa')).toBeInstanceOf(Set)
    expect((back.labels.get('virginica') as { nested: Date[] }).nested[0]).toBeInstanceOf(Date)
    expect(back.weights).toBeInstanceOf(Float64Array)
    expect(Number.isNaN(back.weights[3])).toBe(true)
    expect(back.raw).toBeInstanceOf(Uint8Array)
    expect(typeof back.count).toBe('bigint')
  })

  it('refuses to write a value holding a function with SERIALIZATION_ERROR', () => {
    const withToString = { toString: () => 'evil' }
    const withGetterOfFunction = {
      get run() {
        return () => 'evil'
      },
    }
    for (const v of [withToString, withGetterOfFunction, { f: () => 1 }, [Symbol('s')]]) {
      const err = errorOf(() => bin.serialize(v))
      expect(err.code).toBe('SERIALIZATION_ERROR')
      expect(err.message).toMatch(/BinarySerializer cannot write/)
    }
  })

  it('reads data only: getters, methods and prototypes never come back', () => {
    class Model {
      weight = 2
      get doubled() {
        return this.weight * 2
      }
      predict(x: number) {
        return x * this.weight
      }
    }
    const back = bin.deserialize(bin.serialize(new Model())) as Record<string, unknown>
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(back).toEqual({ weight: 2 })
    expect('predict' in back).toBe(false)

    const getter = bin.deserialize(
      bin.serialize({
        get x() {
          return 1
        },
      }),
    )
    // The getter ran once when writing; what comes back is a plain value, not code.
    expect(Object.getOwnPropertyDescriptor(getter, 'x')).toMatchObject({ value: 1 })
    expect(Object.getOwnPropertyDescriptor(getter, 'x')?.get).toBeUndefined()
  })

  it('does not let a crafted "__proto__" key pollute prototypes', () => {
    const crafted = v8Serialize(
      JSON.parse('{"__proto__": {"polluted": "yes"}, "toString": "not a function"}'),
    )
    const back = bin.deserialize(crafted) as Record<string, unknown>
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(Object.hasOwn(back, '__proto__')).toBe(true)
    expect(back.toString).toBe('not a function')
  })

  it('refuses bytes that are not its output with SERIALIZATION_ERROR', () => {
    for (const bytes of [
      Buffer.from('definitely not v8 data'),
      new Uint8Array(0),
      Buffer.from([0xff, 0x0f, 0x5c, 0x63]),
    ]) {
      expect(errorOf(() => bin.deserialize(bytes)).code).toBe('SERIALIZATION_ERROR')
    }
  })

  it('never crashes on random bytes: each read is a value or a SERIALIZATION_ERROR', () => {
    let refused = 0
    for (let i = 0; i < 3000; i++) {
      const bytes = randomBytes(1 + (i % 96))
      // Half of them carry a valid header, so the reader goes past it into the body.
      if (i % 2 === 1) {
        bytes[0] = 0xff
        if (bytes.length > 1) bytes[1] = 0x0f
      }
      try {
        bin.deserialize(bytes)
      } catch (e) {
        expect(e).toBeInstanceOf(ChariotsError)
        expect((e as ChariotsError).code).toBe('SERIALIZATION_ERROR')
        refused++
      }
    }
    expect(refused).toBeGreaterThan(2000)
  })
})
