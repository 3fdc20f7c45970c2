import { describe, expect, it } from 'vitest'
import { isJsonMediaType, MAX_JSON_DEPTH, parseJson } from './read-json-body.js'

describe('isJsonMediaType', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON; charset=utf-8', true],
    ['application/problem+json', true],
    ['text/plain', false],
    ['application/jsonp', false],
    ['multipart/form-data; boundary=x', false],
  ])('%s → %s', (type, ok) => {
    expect(isJsonMediaType(type)).toBe(ok)
  })
})

describe('parseJson', () => {
  it('reads empty text as null and drops __proto__ keys, escaped ones included', () => {
    expect(parseJson('')).toBeNull()
    expect(parseJson('  ')).toBeNull()
    const value = parseJson('{"a": {"__proto__": {"x": 1}, "b": 2}, "\\u005f_proto__": 3}') as Record<
      string,
      any
    >
    expect(value).toEqual({ a: { b: 2 } })
    expect(Object.hasOwn(value.a, '__proto__')).toBe(false)
    expect(Object.getPrototypeOf(value.a)).toBe(Object.prototype)
  })

  it('throws INVALID_JSON for text that does not parse', () => {
    expect(() => parseJson('{"a":')).toThrow(expect.objectContaining({ code: 'INVALID_JSON' }))
  })

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses one more, with or without the reviver`, () => {
    const nested = (n: number, inner = '1') => '['.repeat(n) + inner + ']'.repeat(n)
    expect(() => parseJson(nested(MAX_JSON_DEPTH))).not.toThrow()
    const tooDeep = expect.objectContaining({
      code: 'INVALID_JSON',
      message: `the request body is not valid JSON: it nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
    })
    expect(() => parseJson(nested(MAX_JSON_DEPTH + 1))).toThrow(tooDeep)
    expect(() => parseJson(`{"a": ${nested(100_000)}}`)).toThrow(tooDeep)
    expect(() => parseJson(`{"__proto__": 1, "a": ${nested(100_000)}}`)).toThrow(tooDeep)
    expect(() =>
      parseJson(`${'{"a":'.repeat(MAX_JSON_DEPTH + 1)}1${'}'.repeat(MAX_JSON_DEPTH + 1)}`),
    ).toThrow(tooDeep)
  })
})
