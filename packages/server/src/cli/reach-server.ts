import { ChariotsError } from '@chariots/core'
import { type KnownErrorCode, ServerErrorCode, type WireErrorCode } from '../errors/server-error-code.js'

/**
 * Runs `call` against a server at `url`, turning "fetch failed" into a one-line `UNREACHABLE`
 * error naming the URL (the CLI prints it and exits 1).
 *
 * @example
 * ```ts
 * const plan = await reachServer(url, () => client.pipelinePlan('pred_iris'))
 * ```
 */
export async function reachServer<T>(url: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (err) {
    if (err instanceof TypeError && err.message === 'fetch failed') {
      const reason = (err.cause as { code?: string; message?: string } | undefined) ?? {}
      throw new ChariotsError<KnownErrorCode>(
        ServerErrorCode.UNREACHABLE,
        `cannot reach ${url} (${reason.code ?? reason.message ?? 'no answer'}); is 'chariots serve' running there? (--url)`,
        { cause: err },
      )
    }
    if (err instanceof ChariotsError)
      throw new ChariotsError<WireErrorCode>(err.code, `${err.code}: ${err.message}`, { cause: err })
    throw err
  }
}
