import { createRequire } from 'node:module'
import type * as BullMQ from 'bullmq'
import type * as IORedis from 'ioredis'

const require = createRequire(import.meta.url)
let bull: typeof BullMQ | undefined
let redis: typeof IORedis | undefined

/**
 * BullMQ, loaded on first use: building an `RQWorkerPool` (an app module does it at import, also in
 * every job thread) costs nothing until the pool talks to Redis. Both packages' Node entries are
 * CommonJS, so this is the same module an `import` would give.
 */
export function bullmq(): typeof BullMQ {
  bull ??= require('bullmq') as typeof BullMQ
  return bull
}

/** ioredis, loaded on first use (see {@link bullmq}). */
export function ioredis(): typeof IORedis {
  redis ??= require('ioredis') as typeof IORedis
  return redis
}
