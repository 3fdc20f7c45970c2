import { createHash } from 'node:crypto'

/**
 * Deterministic JSON of any value: object keys sorted, a class or function by its name, Maps, Sets,
 * Dates and typed arrays tagged. The same value gives the same text in every process.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [2, 3] }) // '{"a":[2,3],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set())
}

function write(value: unknown, seen: Set<object>): string {
  if (value === null || value === undefined) return 'null'
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value)
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify({ $number: String(value) })
    case 'bigint':
      return JSON.stringify({ $bigint: value.toString() })
    case 'function':
      return JSON.stringify({ $fn: (value as { name?: string }).name ?? '' })
    case 'symbol':
      return JSON.stringify({ $symbol: value.description ?? '' })
  }
  const obj = value as object
  if (seen.has(obj)) throw new TypeError('canonicalJson: cannot hash a value that contains itself')
  seen.add(obj)
  try {
    if (Array.isArray(obj)) return `[${obj.map((v) => write(v, seen)).join(',')}]`
    if (obj instanceof Date) return JSON.stringify({ $date: obj.toISOString() })
    if (obj instanceof Map) {
      const entries = [...obj.entries()].map(([k, v]) => [write(k, seen), write(v, seen)] as const)
      entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      return `{"$map":[${entries.map(([k, v]) => `[${k},${v}]`).join(',')}]}`
    }
    if (obj instanceof Set) {
      const items = [...obj].map((v) => write(v, seen)).sort()
      return `{"$set":[${items.join(',')}]}`
    }
    if (ArrayBuffer.isView(obj)) {
      const bytes = Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength)
      return JSON.stringify({ [`$${obj.constructor.name}`]: bytes.toString('base64') })
    }
    // Values that know their own canonical form (versioned fields) hash through it.
    const own = (obj as { toCanonical?: () => unknown }).toCanonical
    if (typeof own === 'function') return write(own.call(obj), seen)
    const keys = Object.keys(obj).sort()
    const body = keys.map((k) => `${JSON.stringify(k)}:${write((obj as Record<string, unknown>)[k], seen)}`)
    const proto = Object.getPrototypeOf(obj)
    const tag =
      proto && proto !== Object.prototype ? `"$class":${JSON.stringify(proto.constructor?.name ?? '')},` : ''
    return `{${tag}${body.join(',')}}`
  } finally {
    seen.delete(obj)
  }
}

/** Lower-case hex SHA-1 of a string or bytes. */
export function sha1Hex(data: string | Uint8Array = ''): string {
  return createHash('sha1').update(data).digest('hex')
}
