/** An answer read to its end, with how long it took. */
export interface JsonAnswer {
  status: number
  /** The parsed body (`undefined` when it is not JSON). */
  body: any
  ms: number
}

/** A request that did not get an answer (connection refused or reset, or the client's timeout). */
export interface NoAnswer {
  status: 0
  body: undefined
  ms: number
  error: string
}

/**
 * `POST url+path` with a JSON body (or `GET` when `body` is undefined and `method` is not given);
 * never throws: a request with no answer comes back as status 0 with the error. `timeoutMs`
 * (default 30 s) bounds every request.
 *
 * @example
 * ```ts
 * const { status, body } = await requestJson(server.url, '/pipelines/is_odd/main', { pipeline_input: 3 })
 * ```
 */
export async function requestJson(
  url: string,
  path: string,
  body?: unknown,
  options: { method?: string; timeoutMs?: number } = {},
): Promise<JsonAnswer | NoAnswer> {
  const t0 = performance.now()
  const method = options.method ?? (body === undefined ? 'GET' : 'POST')
  try {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    })
    const text = await res.text()
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = undefined
    }
    return { status: res.status, body: parsed, ms: performance.now() - t0 }
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause
    return {
      status: 0,
      body: undefined,
      ms: performance.now() - t0,
      error: `${(err as Error).name}: ${(err as Error).message}${cause?.code ? ` (${cause.code})` : ''}`,
    }
  }
}

/** `POST /pipelines/<name>/main` with `pipeline_input` (and `use_worker` when asked). */
export function callPipeline(url: string, name: string, input: unknown, useWorker = false) {
  return requestJson(url, `/pipelines/${name}/main`, {
    pipeline_input: input,
    ...(useWorker ? { use_worker: true } : {}),
  })
}

/** `GET /jobs/<id>/wait?timeout_ms=` (the request's own timeout is 10 s longer). */
export function waitJob(url: string, jobId: string, timeoutMs: number) {
  return requestJson(url, `/jobs/${jobId}/wait?timeout_ms=${timeoutMs}`, undefined, {
    timeoutMs: timeoutMs + 10_000,
  })
}

/** `POST /jobs/fetch/` */
export function fetchJob(url: string, jobId: string) {
  return requestJson(url, '/jobs/fetch/', { job_id: jobId })
}

/**
 * Runs `fn` over `items` with at most `concurrency` at once; answers the results in item order.
 *
 * @example
 * ```ts
 * const answers = await mapLimit(ids, 64, (id) => fetchJob(url, id))
 * ```
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const run = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, run))
  return results
}
