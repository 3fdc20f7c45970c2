import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { describeRedis, redisOptionsOf } from './redis-options.js'

describe('redisOptionsOf', () => {
  it('reads a URL, an ioredis client and plain options alike, never connecting', () => {
    const fromUrl = redisOptionsOf('redis://:secret@10.0.0.5:6390/2')
    expect(fromUrl).toMatchObject({
      host: '10.0.0.5',
      port: 6390,
      db: 2,
      password: 'secret',
      lazyConnect: false,
    })
    const client = new Redis({ host: '10.0.0.6', port: 6391, lazyConnect: true })
    expect(redisOptionsOf(client)).toMatchObject({ host: '10.0.0.6', port: 6391, lazyConnect: false })
    expect(client.status).toBe('wait') // the caller's client is not used
    expect(redisOptionsOf({ host: 'h', port: 1 })).toEqual({ host: 'h', port: 1 })
    expect(describeRedis(fromUrl)).toBe('10.0.0.5:6390')
  })

  it('reads users, TLS and IPv6 hosts, and leaves other forms to ioredis', () => {
    expect(redisOptionsOf('rediss://bob:p%40ss@[::1]:7000')).toMatchObject({
      host: '::1',
      port: 7000,
      username: 'bob',
      password: 'p@ss',
      tls: {},
    })
    expect(redisOptionsOf('redis://cache.internal')).toMatchObject({ host: 'cache.internal', port: 6379 })
    // A query string is ioredis's business: the same options it would read.
    expect(redisOptionsOf('redis://127.0.0.1:6380/1?family=6')).toMatchObject({
      port: 6380,
      db: 1,
      family: 6,
    })
  })
})
