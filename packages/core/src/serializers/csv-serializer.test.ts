import { describe, expect, it } from 'vitest'
import { ChariotsError } from '../errors/chariots-error.js'
import { CSVSerializer } from './csv-serializer.js'

const csv = new CSVSerializer()
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8')

describe('CSVSerializer', () => {
  it('writes an array of records as CSV with a header row', () => {
    const out = text(
      csv.serialize([
        { sepal_length: 5.1, species: 'setosa' },
        { sepal_length: 6.2, species: 'virginica' },
      ]),
    )
    expect(out).toBe('sepal_length,species\n5.1,setosa\n6.2,virginica')
  })

  it('reads numeric columns back as numbers, booleans as booleans and empty cells as null', () => {
    const records = [
      { x: 1, y: -2.5, z: 1e-7, ok: true, note: 'a' },
      { x: 0, y: 3, z: 12345678901, ok: false, note: null },
    ]
    const back = csv.deserialize(csv.serialize(records))
    expect(back).toEqual(records)
    expect(typeof back[0]!.x).toBe('number')
    expect(typeof back[1]!.z).toBe('number')
  })

  it('keeps strings with commas, quotes, newlines and non-ASCII characters intact', () => {
    const records = [
      { id: 1, text: 'a, b, c' },
      { id: 2, text: 'she said "hi"' },
      { id: 3, text: 'line one\nline two\r\nline three' },
      { id: 4, text: '"quoted", then\n a newline, ✿ and émojis 🚀' },
      { id: 5, text: '  padded  ' },
    ]
    expect(csv.deserialize(csv.serialize(records))).toEqual(records)
  })

  it('keeps a timestamp string a string (no Date objects come back)', () => {
    const records = [
      { at: '2024-05-01T10:00:00Z', n: 1 },
      { at: '2024-05-01T10:00:00.123+02:00', n: 2 },
    ]
    expect(csv.deserialize(csv.serialize(records))).toEqual(records)
  })

  it('keeps every column when the records do not all have the same keys', () => {
    const back = csv.deserialize(csv.serialize([{ a: 1 }, { a: 2, b: 'late column' }]))
    expect(back).toEqual([
      { a: 1, b: null },
      { a: 2, b: 'late column' },
    ])
  })

  it('round-trips an empty array', () => {
    expect(csv.deserialize(csv.serialize([]))).toEqual([])
  })

  it('reads CSV written by another tool (CRLF, trailing newline)', () => {
    expect(csv.deserialize(Buffer.from('a,b\r\n1,x\r\n2,"y,z"\r\n', 'utf8'))).toEqual([
      { a: 1, b: 'x' },
      { a: 2, b: 'y,z' },
    ])
  })

  it('refuses something that is not an array of records with SERIALIZATION_ERROR', () => {
    for (const bad of [{ a: 1 }, [1, 2], [['a', 'b']], [null], 'a,b']) {
      let err: unknown
      try {
        csv.serialize(bad as never)
      } catch (e) {
        err = e
      }
      expect(err, JSON.stringify(bad)).toBeInstanceOf(ChariotsError)
      expect((err as ChariotsError).code).toBe('SERIALIZATION_ERROR')
    }
  })

  it('refuses malformed CSV with SERIALIZATION_ERROR naming the row', () => {
    let err: unknown
    try {
      csv.deserialize(Buffer.from('a,b\n1,"unterminated\n', 'utf8'))
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ChariotsError)
    expect((err as ChariotsError).code).toBe('SERIALIZATION_ERROR')
    expect((err as ChariotsError).message).toMatch(/row/)
  })
})
