import { startRedis } from '@chariots/testing'
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
})
