import { BaseClient, type ClientOptions, type FetchLike } from './base-client.js'

/** Options of {@link Client}. */
export interface HttpClientOptions extends ClientOptions {
  /** The fetch to send with (default `globalThis.fetch`). */
  fetch?: FetchLike
}

/**
 * Calls a Chariots server over HTTP. Every method takes a `Pipeline` or a pipeline name.
 *
 * @example
 * ```ts
 * import { Client } from '@chariots/server/client'
 * const client = new Client('http://127.0.0.1:5000')
 * const { value, versions } = await client.callPipeline('is_odd', 4) // value: false
 * ```
 */
export class Client extends BaseClient {
  constructor(baseUrl = 'http://127.0.0.1:5000', options: HttpClientOptions = {}) {
    super(baseUrl, options.fetch ?? ((request) => fetch(request)), options)
  }
}
