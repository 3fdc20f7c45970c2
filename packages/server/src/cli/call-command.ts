import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { ChariotsError, ErrorCode } from '@chariots/core'
import { isFinished } from '@chariots/workers'
import { Client } from '../client/client.js'
import { type PipelineResponse, pipelineResponseToWire } from '../client/pipeline-response.js'
import { ServerErrorCode } from '../errors/server-error-code.js'
import { closestName } from './closest-name.js'
import { formatStatus, StatusLine } from './status-line.js'
import { UsageError } from './usage-error.js'

/** How often the status line's progress is refreshed while the fallback long-poll is held. */
const PROGRESS_REFRESH_MS = 1_000

/**
 * `chariots call <pipeline> [json input]`: calls a running server with the `Client` and prints the
 * response as JSON on stdout (the wire's field names). `--worker` runs the call in a worker;
 * `--wait` follows the job's event stream (`GET /jobs/:id/events`; the long-poll
 * `GET /jobs/:id/wait` on a server without it) until the job ends, with a live status line on
 * stderr, then prints its final response. An unknown
 * pipeline's error suggests the closest served name. Exit codes: 0 done, 1 an error from the server (printed as `CODE: message`) or a job
 * that failed or timed out, 2 bad arguments or input that is not JSON.
 *
 * @example
 * ```sh
 * chariots call is_odd 4                      # {"pipeline_output": false, ...}
 * chariots call train_iris_async --wait       # queued → running [####…] → done
 * ```
 */
export async function callCommand(argv: string[]): Promise<void> {
  // A negative number is an input, not an option: `chariots call is_odd -3`.
  const isNegative = (arg: string) => /^-\d/.test(arg)
  const { values, positionals: named } = parseArgs({
    args: argv.filter((arg) => !isNegative(arg)),
    allowPositionals: true,
    options: {
      url: { type: 'string', short: 'u', default: process.env.CHARIOTS_URL ?? 'http://127.0.0.1:5000' },
      worker: { type: 'boolean', short: 'w', default: false },
      wait: { type: 'boolean', default: false },
      'timeout-ms': { type: 'string', default: '600000' },
      token: { type: 'string', default: process.env.CHARIOTS_TOKEN },
    },
  })
  const positionals = [...named, ...argv.filter(isNegative)]
  const [pipeline, rawInput, ...extra] = positionals
  if (!pipeline) throw new UsageError('expected the name of a pipeline')
  if (extra.length > 0) {
    throw new UsageError(`expected one JSON input, got ${positionals.length - 1} arguments: quote the JSON`)
  }
  const timeoutMs = Number(values['timeout-ms'])
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0) {
    throw new UsageError(`--timeout-ms must be a whole number of milliseconds, got '${values['timeout-ms']}'`)
  }
  if (!URL.canParse(values.url) || !/^https?:$/.test(new URL(values.url).protocol)) {
    throw new UsageError(`--url must be an http(s) URL such as http://127.0.0.1:5000, got '${values.url}'`)
  }
  const input = rawInput === undefined ? undefined : parseInput(rawInput)
  const client = new Client(values.url, values.token === undefined ? {} : { token: values.token })

  try {
    let response = await client.callPipeline(pipeline, input, { useWorker: values.worker })
    if (values.wait && response.jobId !== null && !isFinished(response.jobStatus)) {
      response = await follow(client, pipeline, response, timeoutMs)
    }
    console.log(JSON.stringify(pipelineResponseToWire(response), null, 2))
    if (response.jobStatus === 'failed') {
      fail(`${response.error?.code ?? 'OP_FAILED'}: ${response.error?.message ?? 'the job failed'}`)
    } else if (values.wait && !isFinished(response.jobStatus)) {
      fail(`TIMEOUT: job ${response.jobId} is still ${response.jobStatus} after ${timeoutMs} ms`)
    }
  } catch (err) {
    if (err instanceof ChariotsError)
      return fail(`${err.code}: ${err.message}${await suggestion(client, err, pipeline)}`)
    if (err instanceof TypeError && err.message === 'fetch failed') {
      const reason = (err.cause as { code?: string; message?: string } | undefined) ?? {}
      return fail(
        `UNREACHABLE: cannot reach ${values.url} (${reason.code ?? reason.message ?? 'no answer'}); is 'chariots serve' running there?`,
      )
    }
    throw err
  }
}

function parseInput(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch (err) {
    throw new UsageError(
      `the input ${JSON.stringify(raw.slice(0, 80))} is not JSON (${(err as Error).message}); ` +
        `quote it for the shell, e.g. '[[1, 2, 3, 4]]' or '"some text"'`,
    )
  }
}

/**
 * Follows a job until it ends or `timeoutMs` passes, drawing a status line: on the job's event
 * stream (`GET /jobs/:id/events`, every change of status and progress as it happens); a server
 * without that route gets the long-poll instead ({@link followByWaiting}).
 */
async function follow(
  client: Client,
  pipeline: string,
  first: PipelineResponse,
  timeoutMs: number,
): Promise<PipelineResponse> {
  const jobId = first.jobId!
  const line = new StatusLine(process.stderr)
  const show = (r: PipelineResponse) =>
    line.update(`job ${jobId.slice(0, 8)} ${formatStatus(r.jobStatus, r.progress)}`)
  show(first)
  try {
    const response = await followEvents(client, jobId, timeoutMs, show).catch(async (err: unknown) => {
      if (!(err instanceof ChariotsError) || !NO_ROUTE.has(err.code)) throw err
      return followByWaiting(client, pipeline, jobId, timeoutMs, show)
    })
    show(response)
    return response
  } finally {
    line.done()
  }
}

/** What a server without the job event stream answers for it. */
const NO_ROUTE = new Set<string>([ErrorCode.NOT_FOUND, ServerErrorCode.METHOD_NOT_ALLOWED])

/** Reads the job's event stream until it ends (done, failed) or the timeout; answers the latest state. */
async function followEvents(
  client: Client,
  jobId: string,
  timeoutMs: number,
  show: (r: PipelineResponse) => void,
): Promise<PipelineResponse> {
  const stop = new AbortController()
  const timer = setTimeout(() => stop.abort(), timeoutMs)
  let latest: PipelineResponse | undefined
  try {
    for await (const { response } of client.jobEvents(jobId, { signal: stop.signal })) {
      latest = response
      show(response)
    }
  } finally {
    clearTimeout(timer)
  }
  return latest && isFinished(latest.jobStatus) ? latest : client.fetchJob(jobId)
}

/**
 * The fallback: the end comes from one long-poll, which the server holds until the job is done or
 * failed; meanwhile the status line's progress is refreshed every second (a display only: the
 * wait decides).
 */
async function followByWaiting(
  client: Client,
  pipeline: string,
  jobId: string,
  timeoutMs: number,
  show: (r: PipelineResponse) => void,
): Promise<PipelineResponse> {
  const stop = new AbortController()
  const waiting = client.waitForJob(jobId, pipeline, { timeoutMs }).finally(() => stop.abort())
  void (async () => {
    while (!stop.signal.aborted) {
      try {
        await sleep(PROGRESS_REFRESH_MS, undefined, { signal: stop.signal })
      } catch {
        return // the wait ended
      }
      // A refresh that fails shows nothing new; the wait itself reports a server that is gone.
      const latest = await client.fetchJob(jobId, pipeline).catch(() => undefined)
      if (latest && !stop.signal.aborted) show(latest)
    }
  })()
  return waiting
}

/** "; did you mean 'x'?" for an unknown pipeline with a served name close to it, else nothing. */
async function suggestion(client: Client, err: ChariotsError<string>, pipeline: string): Promise<string> {
  if (err.code !== ErrorCode.PIPELINE_NOT_FOUND) return ''
  const names = await client.availablePipelines().catch(() => [] as string[])
  const close = closestName(pipeline, names)
  return close === undefined ? '' : `; did you mean '${close}'? (chariots call ${close} …)`
}

function fail(message: string): void {
  console.error(message)
  process.exitCode = 1
}
