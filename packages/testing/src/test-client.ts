import { BaseClient, type ClientOptions } from '@chariots/server/client'

/** What {@link TestClient} needs of an app: Hono's `request` (a `Chariots` app has it). */
export interface RequestableApp {
  request(request: Request): Response | Promise<Response>
}

/** Options of {@link TestClient}. */
export interface TestClientOptions extends ClientOptions {
  /** Where the app is mounted in `app` (e.g. `/api` after `root.route('/api', chariots)`). */
  basePath?: string
}

/**
 * The `Client` of `@chariots/server/client`, sending to `app.request` in-process (no socket). Same
 * methods, same answers and errors.
 *
 * @example
 * ```ts
 * const client = new TestClient(new Chariots([isOddPipeline()], { path: dir }))
 * const { value } = await client.callPipeline('is_odd', 4) // false
 * ```
 */
export class TestClient extends BaseClient {
  readonly app: RequestableApp

  constructor(app: RequestableApp, options: TestClientOptions = {}) {
    super(`http://localhost${options.basePath ?? ''}`, (request) => app.request(request), options)
    this.app = app
  }
}
