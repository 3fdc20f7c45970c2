import { Redis, type RedisOptions } from 'ioredis'

/** What `RQWorkerPool` accepts as `connection`: an ioredis client, its options, or a `redis://` URL. */
export type RedisConnectionInput = Redis | RedisOptions | string

/**
 * The options of `connection`, so the pool can open its own duplicates of it (the caller's client
 * is never used or closed by the pool).
 */
export function redisOptionsOf(connection: RedisConnectionInput): RedisOptions {
  if (typeof connection === 'string') {
    // ioredis parses the URL; a lazy client never connects.
    const probe = new Redis(connection, { lazyConnect: true })
    const options = { ...probe.options }
    probe.disconnect()
    return { ...options, lazyConnect: false }
  }
  if (isRedisClient(connection)) return { ...connection.options, lazyConnect: false }
  return { ...connection }
}

/** Where the connection points, for error messages. */
export function describeRedis(options: RedisOptions): string {
  if (options.path) return options.path
  return `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`
}

function isRedisClient(value: unknown): value is Redis {
  return (
    value instanceof Redis ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as Redis).duplicate === 'function' &&
      typeof (value as Redis).options === 'object')
  )
}
