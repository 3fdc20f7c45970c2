import { ChariotsError, type ErrorCodeName } from '@chariots/core'

/**
 * `promise`, or a ChariotsError with `code` after `ms` (or when it rejects with a non-Chariots
 * error). Server-side Redis calls go through it so a request fails fast while Redis is down instead
 * of hanging.
 */
export async function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  code: ErrorCodeName,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ChariotsError(code, `${what}: Redis did not answer within ${ms} ms (is it running?)`)),
      ms,
    )
  })
  try {
    return await Promise.race([promise, timeout])
  } catch (err) {
    if (err instanceof ChariotsError) throw err
    throw new ChariotsError(code, `${what}: ${(err as Error)?.message ?? String(err)}`, { cause: err })
  } finally {
    clearTimeout(timer)
    promise.catch(() => undefined) // a late rejection after the deadline is not unhandled
  }
}
