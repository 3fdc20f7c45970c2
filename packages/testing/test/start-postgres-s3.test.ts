import { S3Saver } from '@chariots/saver-s3'
import { PostgresConnection } from '@chariots/store-postgres'
import { startPostgres, startS3 } from '@chariots/testing'
import { describe, expect, it } from 'vitest'

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('startPostgres and startS3', () => {
  it('start a real PostgreSQL on a free loopback port, stop and restart it on the same data, and stop() ends it', async () => {
    const pg = await startPostgres({ fast: true })
    try {
      expect(pg.url).toBe(`postgres://postgres@127.0.0.1:${pg.port}/postgres`)
      const db = new PostgresConnection(pg.url, { schema: 'helper' })
      await db.sql.unsafe('CREATE TABLE kept (n int)')
      await db.sql.unsafe('INSERT INTO kept VALUES (42)')
      const first = pg.pid
      await pg.stopServer()
      expect(alive(first)).toBe(false)
      await expect(db.sql.unsafe('SELECT 1')).rejects.toThrow()
      await pg.startServer()
      expect(await db.sql.unsafe('SELECT n FROM kept')).toEqual([{ n: 42 }])
      await db.close()
    } finally {
      await pg.stop()
    }
    expect(alive(pg.pid)).toBe(false)
  })

  it('start an S3 API server with its bucket, on a free loopback port, and stop() ends it', async () => {
    const s3 = await startS3({ buckets: ['models'] })
    try {
      const saver = new S3Saver({ bucket: 'models', endpoint: s3.endpoint, credentials: s3.credentials })
      await saver.save(Buffer.from('bytes'), '/a/b')
      expect(Buffer.from(await saver.load('/a/b')).toString()).toBe('bytes')
      expect(await saver.list('/a')).toEqual(['b'])
      await saver.close()
      expect(alive(s3.pid)).toBe(true)
    } finally {
      await s3.stop()
    }
    expect(alive(s3.pid)).toBe(false)
  })
})
