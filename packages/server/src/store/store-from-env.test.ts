import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { OpStore } from '@chariots/core'
import { afterEach, describe, expect, it } from 'vitest'
import { storeFromEnv } from './store-from-env.js'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chariots-env-'))
  dirs.push(dir)
  return dir
}

describe('storeFromEnv', () => {
  it('opens the folder store at the path given when CHARIOTS_STORE is unset, and at CHARIOTS_STORE (a folder or file://) when set', async () => {
    const [a, b, c] = [await tempDir(), await tempDir(), await tempDir()]
    const byPath = await storeFromEnv({ env: {}, path: a })
    expect(byPath.store).toBeInstanceOf(OpStore)
    expect(byPath.store.location).toBe(a)
    expect(byPath.saver).toBe(byPath.store.saver)
    expect(byPath.announcer).toBeUndefined()
    expect((await storeFromEnv({ env: { CHARIOTS_STORE: b }, path: a })).store.location).toBe(b)
    expect((await storeFromEnv({ env: { CHARIOTS_STORE: pathToFileURL(c).href } })).store.location).toBe(c)
    expect((await storeFromEnv({ env: { CHARIOTS_PATH: c } })).store.location).toBe(c)
  })

  it('opens the PostgreSQL store (with its announcer) for postgres://, the bytes in S3 with CHARIOTS_BLOBS, without connecting', async () => {
    const pg = await storeFromEnv({
      env: { CHARIOTS_STORE: 'postgres://app:secret@db.invalid:5432/models', CHARIOTS_STORE_SCHEMA: 'iris' },
    })
    expect(pg.store.constructor.name).toBe('PostgresStore')
    expect(pg.store.location).toBe('postgres://app:***@db.invalid:5432/models (schema iris)')
    expect(pg.saver.constructor.name).toBe('PostgresSaver')
    expect(pg.announcer?.constructor.name).toBe('PostgresAnnouncer')
    expect(pg.autoReload).toBe(false)
    const s3 = await storeFromEnv({
      env: {
        CHARIOTS_STORE: 'postgresql://db.invalid/models',
        CHARIOTS_BLOBS: 's3://models/iris',
        AWS_ENDPOINT_URL: 'http://s3.invalid:9000',
        CHARIOTS_AUTO_RELOAD: '1',
      },
    })
    expect(s3.saver.constructor.name).toBe('S3Saver')
    expect(s3.store.location).toBe(
      'postgresql://db.invalid/models (schema chariots), bytes in s3://models/iris',
    )
    expect(s3.autoReload).toBe(true)
    await Promise.all([pg.store.close?.(), s3.store.close?.()])
  })

  it('answers a Redis announcer for CHARIOTS_ANNOUNCE=redis://, on a channel of the store', async () => {
    const [a, b] = [await tempDir(), await tempDir()]
    const one = await storeFromEnv({
      env: { CHARIOTS_STORE: a, CHARIOTS_ANNOUNCE: 'redis://redis.invalid:6379' },
    })
    const same = await storeFromEnv({
      env: { CHARIOTS_STORE: a, CHARIOTS_ANNOUNCE: 'redis://redis.invalid:6379' },
    })
    const other = await storeFromEnv({
      env: { CHARIOTS_STORE: b, CHARIOTS_ANNOUNCE: 'redis://redis.invalid:6379' },
    })
    const channel = (s: typeof one) => (s.announcer as unknown as { channel: string }).channel
    expect(one.announcer?.constructor.name).toBe('RedisAnnouncer')
    expect(channel(one)).toBe(channel(same))
    expect(channel(one)).not.toBe(channel(other))
    await Promise.all([one, same, other].map((s) => s.announcer?.close()))
  })

  it('refuses, naming the fix: CHARIOTS_BLOBS without PostgreSQL, an unknown scheme, a bad S3 or Redis URL', async () => {
    await expect(storeFromEnv({ env: { CHARIOTS_BLOBS: 's3://models' } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('set CHARIOTS_STORE=postgres://… too'),
    })
    await expect(storeFromEnv({ env: { CHARIOTS_STORE: 'mysql://u:pw@db/models' } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/mysql:\/\/\*\*\*@db\/models is not a store this app knows/),
    })
    await expect(
      storeFromEnv({ env: { CHARIOTS_STORE: 'postgres://db/models', CHARIOTS_BLOBS: 'gs://bucket' } }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('s3://<bucket>/<prefix>'),
    })
    await expect(
      storeFromEnv({ env: { CHARIOTS_STORE: await tempDir(), CHARIOTS_ANNOUNCE: 'nats://x' } }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('not a Redis URL') })
  })
})
