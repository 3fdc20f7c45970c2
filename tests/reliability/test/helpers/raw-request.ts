import { request } from 'node:http'

/** What {@link rawRequest} sends: the path goes out byte for byte (no URL normalization). */
export interface RawRequestInit {
  method?: string
  /** Sent as is on the request line: `..`, `%2e` and friends are not resolved by the client. */
  path: string
  headers?: Record<string, string>
  /** A string or bytes; `undefined` sends no body and no Content-Length. */
  body?: string | Uint8Array
}

/** An answer read to its end. */
export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The body parsed as JSON (throws when it is not JSON). */
  json(): any
}

/**
 * Sends one request over a fresh socket with `node:http`, so the test controls the exact path,
 * headers and bytes (fetch would normalize the URL and add headers).
 *
 * @example
 * ```ts
 * const res = await rawRequest(port, { method: 'POST', path: '/pipelines/%2e%2e/save' })
 * ```
 */
export function rawRequest(port: number, init: RawRequestInit): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...init.headers }
    if (
      init.body !== undefined &&
      !Object.keys(headers).some((h) => h.toLowerCase() === 'transfer-encoding')
    ) {
      headers['content-length'] = String(Buffer.byteLength(init.body))
    }
    const req = request(
      { host: '127.0.0.1', port, method: init.method ?? 'GET', path: init.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) })
        })
      },
    )
    req.on('error', reject)
    if (init.body !== undefined) req.write(init.body)
    req.end()
  })
}
