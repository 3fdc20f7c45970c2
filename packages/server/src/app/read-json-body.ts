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

/** Parses JSON text (empty text is `null`), dropping `__proto__` keys; 400 `INVALID_JSON` when it does not parse. */
export function parseJson(text: string): unknown {
  if (text.length === 0 || text.trim() === '') return null
  try {
    // The reviver is slow: only use it when a `__proto__` key may be present (escapes included).
    return text.includes('__proto__') || text.includes('\\u') ? JSON.parse(text, dropProto) : JSON.parse(text)
  } catch (cause) {
    throw new ChariotsError(
      ErrorCode.INVALID_JSON,
      `the request body is not valid JSON: ${(cause as Error).message}`,
      {
        cause,
      },
    )
  }
}

function dropProto(key: string, value: unknown): unknown {
  return key === '__proto__' ? undefined : value
}
