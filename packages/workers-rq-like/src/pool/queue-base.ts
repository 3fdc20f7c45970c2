import { setTimeout as sleep } from 'node:timers/promises'
import { ChariotsError, ErrorCode } from '@chariots/core'
import type { ConnectionOptions, Queue, QueueEvents, Worker } from 'bullmq'
import type { RedisOptions } from 'ioredis'
import { ioredis } from '../redis/bull-modules.js'
import { describeRedis } from '../redis/redis-options.js'
import { withDeadline } from '../redis/with-deadline.js'

/** What every role of an {@link RQWorkerPool} shares: where its queue is, and how to reach it. */
export interface QueueSettings {
  readonly queueName: string
  /** BullMQ key prefix (`bull` by default). */
  readonly prefix: string
  readonly redis: RedisOptions
  /** Ms a server-side Redis call may take before it fails with `BACKEND_UNAVAILABLE`. */
  readonly commandTimeoutMs: number
  /** Receives Redis and BullMQ errors. */
  readonly warn: (err: Error) => void
}

/**
 * The base of the pool's roles (producer, consumer, event reader), as BullMQ's `QueueBase` is of
 * `Queue`, `Worker` and `QueueEvents`: the queue's name and connection settings, the one answer for
 * an unreachable Redis (`BACKEND_UNAVAILABLE`, HTTP 503), and a close that does not hang while
 * Redis is down.
 */
export abstract class QueueBase {
  protected closed = false

  constructor(protected readonly settings: QueueSettings) {}

  get queueName(): string {
    return this.settings.queueName
  }

  /** `<prefix>:<queue name>`: what BullMQ's keys of this queue start with. */
  get keyPrefix(): string {
    return `${this.settings.prefix}:${this.settings.queueName}`
  }

  /** Stops the role and closes its connections. */
  abstract close(): Promise<void>

  /** `queue 'x' at host:port`, for messages. */
  protected where(): string {
    return `queue '${this.queueName}' at ${describeRedis(this.settings.redis)}`
  }

  /** The `BACKEND_UNAVAILABLE` error of a pool that was closed. */
  protected closedError(): ChariotsError {
    return new ChariotsError(
      ErrorCode.BACKEND_UNAVAILABLE,
      `the RQWorkerPool of queue '${this.queueName}' is closed; create a new pool to reach Redis again`,
    )
  }

  /** `promise`, or `BACKEND_UNAVAILABLE` naming `what` when Redis does not answer in time or fails. */
  protected deadline<T>(promise: Promise<T>, what: string): Promise<T> {
    return withDeadline(
      promise,
      this.settings.commandTimeoutMs,
      ErrorCode.BACKEND_UNAVAILABLE,
      `${what} in Redis at ${describeRedis(this.settings.redis)}`,
    )
  }

  /** BullMQ options of this queue besides the connection. */
  protected bullOptions(): { prefix: string } {
    return { prefix: this.settings.prefix }
  }

  /** Options of the connections BullMQ opens (and closes) itself for workers and QueueEvents. */
  protected blockingOptions(): ConnectionOptions {
    return { ...this.settings.redis, maxRetriesPerRequest: null } as ConnectionOptions
  }

  /**
   * Closes a BullMQ worker, queue or event reader, letting running jobs finish. BullMQ's close waits
   * on connections that retry forever while Redis is down: then their clients are stopped instead
   * (a job left running is recovered by the stalled-job check once Redis is back).
   */
  protected async closeBull(target: Worker | Queue | QueueEvents): Promise<void> {
    const closing = target.close().then(
      () => true,
      () => true,
    )
    const within = (ms: number) => Promise.race([closing, sleep(ms).then(() => false)])
    while (!(await within(1_000))) {
      if (await this.redisReachable()) continue
      await stopReconnecting(target)
      await within(1_000)
      return
    }
  }

  /** Whether Redis answers PING within the command timeout (a connection of its own). */
  protected async redisReachable(): Promise<boolean> {
    const timeout = this.settings.commandTimeoutMs
    const probe = new (ioredis().Redis)({
      ...this.settings.redis,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: timeout,
      commandTimeout: timeout,
    })
    probe.on('error', () => undefined)
    try {
      await probe.connect()
      return (await probe.ping()) === 'PONG'
    } catch {
      return false
    } finally {
      probe.disconnect()
    }
  }
}

/**
 * Stops the Redis clients of a BullMQ object from reconnecting, so one closed while Redis is down
 * does not keep the process alive. Its `disconnect()` cannot: it waits for an 'end' event that ioredis
 * never sends while it is between reconnection attempts. Uses the backend's documented Redis
 * escape hatch (`client`, `blockingClient`).
 */
async function stopReconnecting(target: Worker | Queue | QueueEvents): Promise<void> {
  type Client = { disconnect(): void } | undefined
  const backend = target.getBackend() as unknown as {
    client?: Promise<Client>
    blockingClient?: Promise<Client>
  }
  for (const client of [backend.client, backend.blockingClient]) {
    try {
      ;(await client)?.disconnect()
    } catch {
      // a client that never connected has nothing to stop
    }
  }
}
