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
    if (
      !Array.isArray(records) ||
      records.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))
    ) {
      throw new ChariotsError(
        ErrorCode.SERIALIZATION_ERROR,
        'CSVSerializer writes an array of records (objects of column → value)',
      )
    }
    // papaparse takes the header from the first record only: name every record's columns.
    const columns = [...new Set(records.flatMap((r) => Object.keys(r)))]
    const options = { header: true, newline: '\n', ...(columns.length > 0 ? { columns } : {}) }
    return Buffer.from(Papa.unparse(records, options), 'utf8')
  }

  deserialize(bytes: Uint8Array): CSVRecord[] {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
    // Our own typing rather than papaparse's dynamicTyping, which turns ISO timestamps into Dates.
    const parsed = Papa.parse<CSVRecord>(text, { header: true, transform: typedCell, skipEmptyLines: true })
    const fatal = parsed.errors.find((e) => e.type !== 'Delimiter')
    if (fatal) {
      throw new ChariotsError(
        ErrorCode.SERIALIZATION_ERROR,
        `CSV is malformed at row ${fatal.row}: ${fatal.message}`,
      )
    }
    return parsed.data
  }
}

const NUMBER = /^\s*-?(\d+\.?|\.\d+|\d+\.\d+)([eE][-+]?\d+)?\s*$/

/** A cell as a number (below 2^53 in magnitude, as papaparse), a boolean, null (empty) or the string. */
function typedCell(cell: string): string | number | boolean | null {
  if (cell === '') return null
  if (cell === 'true' || cell === 'TRUE') return true
  if (cell === 'false' || cell === 'FALSE') return false
  if (NUMBER.test(cell)) {
    const n = Number.parseFloat(cell)
    if (Math.abs(n) < 2 ** 53) return n
  }
  return cell
}
