import { ChariotsError } from '@chariots/core'
import { createStoreKit, startRedis } from '@chariots/testing'
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'

describe('startRedis', () => {
  it('starts a real redis-server on a free loopback port, and stop() ends that process', async () => {
    const [a, b] = await Promise.all([startRedis(), startRedis({ appendonly: true })])
    try {
      expect(a.port).not.toBe(b.port)
      expect(a.url).toBe(`redis://127.0.0.1:${a.port}`)
      const client = new Redis(a.url)
      expect(await client.ping()).toBe('PONG')
      expect(await client.config('GET', 'save')).toEqual(['save', ''])
      const other = new Redis(b.url)
      expect(await other.config('GET', 'appendonly')).toEqual(['appendonly', 'yes'])
      await Promise.all([client.quit(), other.quit()])
      expect(() => process.kill(a.pid, 0)).not.toThrow()
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
    expect(() => process.kill(a.pid, 0)).toThrow()
    expect(() => process.kill(b.pid, 0)).toThrow()
  })

  it('a redis-server that cannot start is BACKEND_UNAVAILABLE, naming the binary and the fix', async () => {
    const missing = await startRedis({ binary: '/nonexistent/redis-server' }).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(ChariotsError)
    expect(missing).toMatchObject({ code: 'BACKEND_UNAVAILABLE' })
    expect((missing as Error).message).toMatch(
      /^redis-server could not be started \(spawn \/nonexistent\/redis-server ENOENT\)/,
    )
    expect((missing as Error).message).toContain('name its binary with REDIS_SERVER or the binary option')

    const exits = await startRedis({ binary: 'false' }).catch((e: unknown) => e)
    expect(exits).toMatchObject({ code: 'BACKEND_UNAVAILABLE' })
    expect((exits as Error).message).toMatch(
      /^redis-server exited \(code 1, signal null\) before it could answer PING on port \d+; install redis-server/,
    )
  })
})

describe('createStoreKit', () => {
  it('refuses a PostgreSQL kind without its servers: INVALID_INPUT naming what to pass', async () => {
    await expect(createStoreKit('postgres', {})).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message:
        "a 'postgres' store kit needs servers.postgres: pass createStoreKit('postgres', { postgres: await startPostgres() })",
    })
  })
})
