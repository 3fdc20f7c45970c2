import { ChariotsError } from '@chariots/core'
import type { Context } from 'hono'
import { type KnownErrorCode, ServerErrorCode } from '../errors/server-error-code.js'

/** Options of {@link readJsonBody}. */
export interface ReadJsonBodyOptions {
  /**
   * Whether the body may be empty (or `null`) without a JSON content type, when the request
   * carries the {@link CUSTOM_HEADER} instead (save, load, versions).
   */
  allowEmpty?: boolean
}

/**
 * The header that stands in for `Content-Type: application/json` on a body-less save, load or
 * versions request. A cross-site page can send neither without a CORS preflight, so a POST it
 * fires blind (`fetch(url, { method: 'POST', mode: 'no-cors' })`) gets 415 instead of a save.
 */
export const CUSTOM_HEADER = 'x-chariots'

const JSON_FIX = 'send the body as JSON in UTF-8 with Content-Type: application/json'

/**
 * Reads the request body as JSON. Answers 415 `UNSUPPORTED_MEDIA_TYPE`, before reading the body,
 * for a missing content type, one that is not JSON, or a charset other than UTF-8; 400
 * `INVALID_JSON` for text that does not parse. `__proto__` keys are dropped so no later merge of
 * the value can reach a prototype. An empty body reads as `null`.
 *
 * @example
 * ```ts
 * const body = await readJsonBody(c, { allowEmpty: true }) // null for an empty save request
 * ```
 */
export async function readJsonBody(c: Context, options: ReadJsonBodyOptions = {}): Promise<unknown> {
  const contentType = c.req.header('content-type')
  if (contentType === undefined || contentType === '') {
    if (options.allowEmpty && c.req.header(CUSTOM_HEADER) !== undefined) {
      const trimmed = (await c.req.text()).trim()
      if (trimmed === '' || trimmed === 'null') return null
    }
    throw unsupported(
      options.allowEmpty
        ? `the request has no content type; ${JSON_FIX} (a body of null is fine), or send the header X-Chariots: 1 with an empty body`
        : `the request has no content type; ${JSON_FIX}`,
    )
  }
  if (!isJsonMediaType(contentType)) {
    throw unsupported(`content type '${contentType.slice(0, 100)}' is not supported; ${JSON_FIX}`)
  }
  const charset = charsetOf(contentType)
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw unsupported(
      `charset '${charset.slice(0, 40)}' is not supported: JSON bodies must be UTF-8; ${JSON_FIX}`,
    )
  }
  return parseJson(await c.req.text())
}

function unsupported(message: string): ChariotsError<KnownErrorCode> {
  return new ChariotsError<KnownErrorCode>(ServerErrorCode.UNSUPPORTED_MEDIA_TYPE, message)
}

/** Whether a Content-Type header names JSON (`application/json`, with or without parameters). */
export function isJsonMediaType(contentType: string): boolean {
  const semi = contentType.indexOf(';')
  const type = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase()
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))
}

/**
 * The `charset` parameter of a Content-Type header, lower case and unquoted; `undefined` when it
 * has none.
 *
 * @example
 * ```ts
 * charsetOf('application/json; charset="UTF-16"') // 'utf-16'
 * ```
 */
export function charsetOf(contentType: string): string | undefined {
  for (const param of contentType.split(';').slice(1)) {
    const eq = param.indexOf('=')
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue
    return param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase()
  }
  return undefined
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
    throw new ChariotsError<KnownErrorCode>(
      ServerErrorCode.INVALID_JSON,
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

function tooDeep(cause?: unknown): ChariotsError<KnownErrorCode> {
  return new ChariotsError<KnownErrorCode>(
    ServerErrorCode.INVALID_JSON,
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
