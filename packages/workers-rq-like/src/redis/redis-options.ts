import type { Redis, RedisOptions } from 'ioredis'
import { ioredis } from './bull-modules.js'

/** What `RQWorkerPool` accepts as `connection`: an ioredis client, its options, or a `redis://` URL. */
export type RedisConnectionInput = Redis | RedisOptions | string

/**
 * The options of `connection`, so the pool can open its own duplicates of it (the caller's client
 * is never used or closed by the pool).
 */
export function redisOptionsOf(connection: RedisConnectionInput): RedisOptions {
  if (typeof connection === 'string') {
    const parsed = parseRedisUrl(connection)
    if (parsed) return { ...parsed, lazyConnect: false }
    // Another form ioredis knows: it parses it; a lazy client never connects.
    const probe = new (ioredis().Redis)(connection, { lazyConnect: true })
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

/**
 * `redis://[user:password@]host[:port][/db]` and `rediss://…` (TLS), read here so that building a
 * pool does not load ioredis; anything else is left to ioredis.
 */
function parseRedisUrl(text: string): RedisOptions | null {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return null
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.search !== '') return null
  const db = url.pathname.replace(/^\//, '')
  if (db !== '' && !/^\d+$/.test(db)) return null
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  }
}

function isRedisClient(value: unknown): value is Redis {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Redis).duplicate === 'function' &&
    typeof (value as Redis).options === 'object'
  )
}
