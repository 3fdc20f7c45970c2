import { ChariotsError, ErrorCode } from '@chariots/core'
import type { Redis } from 'ioredis'

// KEYS: the reservations hash, the byte total. ARGV: job id, bytes, max jobs, max bytes, now.
// Answers { 1 | 0 (too many jobs) | -1 (too many bytes), jobs held, bytes held }.
const RESERVE = `
local n = redis.call('HLEN', KEYS[1])
local total = tonumber(redis.call('GET', KEYS[2]) or '0')
local bytes = tonumber(ARGV[2])
if n >= tonumber(ARGV[3]) then return {0, n, total} end
if total + bytes > tonumber(ARGV[4]) then return {-1, n, total} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[5])
redis.call('INCRBY', KEYS[2], bytes)
return {1, n + 1, total + bytes}
`

// KEYS: the reservations hash, the byte total. ARGV: job ids. Answers the bytes freed.
const RELEASE = `
local freed = 0
for _, id in ipairs(ARGV) do
  local held = redis.call('HGET', KEYS[1], id)
  if held then
    redis.call('HDEL', KEYS[1], id)
    freed = freed + tonumber(string.match(held, '^(%d+)'))
  end
end
if freed > 0 then redis.call('DECRBY', KEYS[2], freed) end
if redis.call('HLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[2]) end
return freed
`

/** What a reservation answered, and what the queue holds. */
export interface Reservation {
  /** `ok`, or which limit refused it. */
  outcome: 'ok' | 'jobs' | 'bytes'
  queuedJobs: number
  queuedBytes: number
}

/**
 * The jobs of a queue that were accepted and have not finished, with their input bytes, in Redis:
 * what `maxQueuedJobs` and `maxQueuedBytes` count across every server and worker of the queue. A
 * server reserves a place before it adds a job (atomically, one Lua script); the worker that
 * finishes the job releases it. `sweep` releases the places of jobs that finished elsewhere (a job
 * failed by the stalled check) or that no longer exist, and runs when the queue looks full.
 *
 * @example
 * ```ts
 * const places = new QueueReservations(redis, 'bull:iris')
 * const { outcome } = await places.reserve(jobId, 1_024, { maxQueuedJobs: 10_000, maxQueuedBytes: 256 << 20 })
 * ```
 */
export class QueueReservations {
  private readonly hash: string
  private readonly total: string

  constructor(
    private readonly redis: () => Redis,
    /** `<prefix>:<queue name>`, the BullMQ key prefix of the queue. */
    private readonly queueKey: string,
  ) {
    this.hash = `${queueKey}:chariots:queued`
    this.total = `${queueKey}:chariots:queued-bytes`
  }

  /** Takes a place for the job unless that would pass a limit. */
  async reserve(
    jobId: string,
    bytes: number,
    limits: { maxQueuedJobs: number; maxQueuedBytes: number },
  ): Promise<Reservation> {
    const [ok, queuedJobs, queuedBytes] = (await this.redis().eval(
      RESERVE,
      2,
      this.hash,
      this.total,
      jobId,
      bytes,
      limits.maxQueuedJobs,
      limits.maxQueuedBytes,
      Date.now(),
    )) as [number, number, number]
    return { outcome: ok === 1 ? 'ok' : ok === 0 ? 'jobs' : 'bytes', queuedJobs, queuedBytes }
  }

  /** How many jobs hold a place, and their input bytes. */
  async held(): Promise<{ queuedJobs: number; queuedBytes: number }> {
    const answers = (await this.redis().multi().hlen(this.hash).get(this.total).exec()) ?? []
    const value = (i: number) => {
      const [err, v] = answers[i] ?? [noAnswer('the queue reservations (HLEN, GET)'), null]
      if (err) throw err
      return Number(v ?? 0)
    }
    return { queuedJobs: value(0), queuedBytes: value(1) }
  }

  /** Frees the places of these jobs (those that hold none are skipped). */
  async release(jobIds: readonly string[]): Promise<void> {
    if (jobIds.length === 0) return
    await this.redis().eval(RELEASE, 2, this.hash, this.total, ...jobIds)
  }

  /**
   * Frees the places of jobs that finished (their hash has `finishedOn`) or no longer exist,
   * leaving places younger than `graceMs` alone (their job may be being added right now).
   */
  async sweep(graceMs: number): Promise<number> {
    const redis = this.redis()
    const entries = Object.entries(await redis.hgetall(this.hash))
    const oldEnough = entries.filter(([, held]) => Date.now() - Number(held.split(':')[1] ?? 0) > graceMs)
    if (oldEnough.length === 0) return 0
    const batch = redis.pipeline()
    for (const [jobId] of oldEnough) batch.hmget(`${this.queueKey}:${jobId}`, 'finishedOn', 'timestamp')
    const answers = (await batch.exec()) ?? []
    const gone = oldEnough
      .filter((_, i) => {
        const [err, fields] = answers[i] ?? [noAnswer('a finished-job check (HMGET)'), null]
        if (err || !Array.isArray(fields)) return false
        const [finishedOn, timestamp] = fields as (string | null)[]
        return finishedOn != null || timestamp == null
      })
      .map(([jobId]) => jobId)
    await this.release(gone)
    return gone.length
  }
}

/** A Redis transaction or pipeline that came back without the answer to one of its commands. */
function noAnswer(what: string): ChariotsError {
  return new ChariotsError(
    ErrorCode.BACKEND_UNAVAILABLE,
    `Redis gave no answer to ${what}; check that Redis is up and reachable, then retry`,
  )
}
