// What only the PostgreSQL store has to show: migrations that several processes may run at once,
// and a database that goes away and comes back under a live store object.
import { MIGRATIONS, PostgresConnection, PostgresStore } from '@chariots/store-postgres'
import { type RunningPostgres, startPostgres } from '@chariots/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let pg: RunningPostgres
beforeAll(async () => {
  pg = await startPostgres({ fast: true })
})
afterAll(async () => {
  await pg?.stop()
})

const state = (node: string, body: string) => ({
  node,
  version: `v-${body}`,
  codeVersion: null,
  lineage: {},
  bytes: Buffer.from(body),
})

describe('PostgresStore', () => {
  it('applies its migrations once when many connections start on an empty schema at the same time', async () => {
    const dbs = Array.from({ length: 8 }, () => new PostgresConnection(pg.url, { schema: 'race' }))
    await Promise.all(dbs.map((db) => db.ready()))
    const rows = await dbs[0]!.sql.unsafe('SELECT version FROM "race".migrations ORDER BY version')
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1))
    // And again on an up-to-date schema: nothing to do, nothing fails.
    const late = new PostgresConnection(pg.url, { schema: 'race' })
    await late.ready()
    await Promise.all([...dbs, late].map((db) => db.close()))
  })

  it('answers BACKEND_UNAVAILABLE quickly while PostgreSQL is down, and the same store object works once it is back', async () => {
    // Trust authentication ignores the password: it is here to show it never reaches a message.
    const store = new PostgresStore(pg.url.replace('postgres@', 'postgres:secret@'), { schema: 'outage' })
    const [saved] = await store.saveStates([state('a', 'before')])
    await pg.stopServer()
    try {
      for (const call of [() => store.reload(), () => store.saveStates([state('a', 'during')])]) {
        const started = Date.now()
        const err = await call().catch((e) => e)
        expect(err.code).toBe('BACKEND_UNAVAILABLE')
        expect(err.message).toContain('PostgreSQL cannot be reached')
        expect(err.message).toContain('postgres://postgres:***@')
        expect(err.message).not.toContain('secret')
        expect(Date.now() - started).toBeLessThan(3_000)
      }
    } finally {
      await pg.startServer()
    }
    const [after] = await store.saveStates([state('a', 'after')])
    await store.reload()
    expect((await store.listStates('a')).map((r) => r.seq)).toEqual([saved!.seq, after!.seq])
    await store.close()
  })
})
