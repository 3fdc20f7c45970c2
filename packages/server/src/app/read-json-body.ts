import { ChariotsError, ErrorCode } from '@chariots/core'
import type { Context } from 'hono'

/** Options of {@link readJsonBody}. */
export interface ReadJsonBodyOptions {
  /** Whether an empty body (or `null`) may come without a content type (save, load, versions). */
  allowEmpty?: boolean
}

/**
 * Reads the request body as JSON. Answers 400 `INVALID_BODY` naming a content type that is not
 * JSON, and 400 `INVALID_JSON` for text that does not parse. `__proto__` keys are dropped so no
 * later merge of the value can reach a prototype. An empty body reads as `null`.
 *
 * @example
 * ```ts
 * const body = await readJsonBody(c, { allowEmpty: true }) // null for an empty save request
 * ```
 */
export async function readJsonBody(c: Context, options: ReadJsonBodyOptions = {}): Promise<unknown> {
  const contentType = c.req.header('content-type')
  const text = await c.req.text()
  if (contentType === undefined || contentType === '') {
    const trimmed = text.trim()
    if (options.allowEmpty && (trimmed === '' || trimmed === 'null')) return null
    throw new ChariotsError(
      ErrorCode.INVALID_BODY,
      'the request has no content type; send the body as JSON with Content-Type: application/json',
    )
  }
  if (!isJsonMediaType(contentType)) {
    throw new ChariotsError(
      ErrorCode.INVALID_BODY,
      `content type '${contentType.slice(0, 100)}' is not supported; send the body as JSON with Content-Type: application/json`,
    )
  }
  return parseJson(text)
}

/** Whether a Content-Type header names JSON (`application/json`, with or without parameters). */
export function isJsonMediaType(contentType: string): boolean {
  const semi = contentType.indexOf(';')
  const type = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase()
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))
}

/**
 * The deepest nesting of arrays and objects a body may have. Parsing deeper JSON works, but later
 * recursive steps (JSON.stringify of the answer, schemas, ops) overflow the stack: a 500 a client
 * could cause at will.
 */
export const MAX_JSON_DEPTH = 1000

/**
 * Parses JSON text (empty text is `null`), dropping `__proto__` keys; 400 `INVALID_JSON` when it does
 * not parse or nests arrays and objects deeper than {@link MAX_JSON_DEPTH} levels.
 */
export function parseJson(text: string): unknown {
  if (text.length === 0 || text.trim() === '') return null
  let value: unknown
  try {
    // The reviver is slow: only use it when a `__proto__` key may be present (escapes included).
    value =
      text.includes('__proto__') || text.includes('\\u') ? JSON.parse(text, dropProto) : JSON.parse(text)
  } catch (cause) {
    // The reviver recurses: a very deep body overflows the stack there.
    if (cause instanceof RangeError) throw tooDeep(cause)
    throw new ChariotsError(
      ErrorCode.INVALID_JSON,
      `the request body is not valid JSON: ${(cause as Error).message}`,
      {
        cause,
      },
    )
  }
  // Depth d takes at least 2d characters, so short bodies (the hot path) skip the walk.
  if (text.length > 2 * MAX_JSON_DEPTH && deeperThan(value, MAX_JSON_DEPTH)) throw tooDeep()
  return value
}

function tooDeep(cause?: unknown): ChariotsError {
  return new ChariotsError(
    ErrorCode.INVALID_JSON,
    `the request body is not valid JSON: it nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
    { cause },
  )
}

/** Whether arrays and objects nest deeper than `max` levels in `value` (iterative: no stack to overflow). */
function deeperThan(value: unknown, max: number): boolean {
  const stack: unknown[] = [value]
  const depths: number[] = [0]
  while (stack.length > 0) {
    const v = stack.pop()
    const depth = depths.pop()!
    if (typeof v !== 'object' || v === null) continue
    if (depth + 1 > max) return true
    const children: unknown[] = Array.isArray(v) ? v : Object.values(v)
    for (const child of children) {
      if (typeof child === 'object' && child !== null) {
        stack.push(child)
        depths.push(depth + 1)
      }
    }
  }
  return false
}

function dropProto(key: string, value: unknown): unknown {
  return key === '__proto__' ? undefined : value
}
