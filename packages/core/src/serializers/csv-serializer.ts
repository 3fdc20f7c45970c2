import Papa from 'papaparse'
import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import { BaseSerializer } from './base-serializer.js'

/** A CSV row: column name → value. */
export type CSVRecord = Record<string, string | number | boolean | null>

/**
 * An array of records ⇄ CSV with a header row (papaparse). Numeric and boolean columns come back
 * as numbers and booleans; empty cells as null.
 *
 * @example
 * ```ts
 * const csv = new CSVSerializer()
 * csv.deserialize(csv.serialize([{ a: 1, b: 'x' }])) // [{ a: 1, b: 'x' }]
 * ```
 */
export class CSVSerializer extends BaseSerializer<CSVRecord[]> {
  readonly extension = 'csv'

  serialize(records: CSVRecord[]): Uint8Array {
    if (!Array.isArray(records) || records.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) {
      throw new ChariotsError(ErrorCode.SERIALIZATION_ERROR, 'CSVSerializer writes an array of records (objects of column → value)')
    }
    return Buffer.from(Papa.unparse(records, { header: true, newline: '\n' }), 'utf8')
  }

  deserialize(bytes: Uint8Array): CSVRecord[] {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
    const parsed = Papa.parse<CSVRecord>(text, { header: true, dynamicTyping: true, skipEmptyLines: true })
    const fatal = parsed.errors.find((e) => e.type !== 'Delimiter')
    if (fatal) {
      throw new ChariotsError(ErrorCode.SERIALIZATION_ERROR, `CSV is malformed at row ${fatal.row}: ${fatal.message}`)
    }
    return parsed.data
  }
}
