// What every store promises (the StateStore interface), run unchanged over the folder store,
// PostgreSQL, and PostgreSQL with the bytes in S3. Layout-specific checks stay beside each store.
import { type NewState, Version } from '@chariots/core'
import { STORE_KINDS } from '@chariots/testing'
import { describe, expect, it } from 'vitest'
import { useStoreKits } from './helpers/store-kits.js'

const kitOf = useStoreKits()

function state(node: string, body: string, lineage: Record<string, string> = {}): NewState {
  return {
    node,
    version: Version.now().toString(),
    codeVersion: new Version({ creationTime: 0 }).toString(),
    lineage,
    bytes: Buffer.from(body),
    pipeline: 'p',
    savedBy: 'test',
  }
}

describe.each(STORE_KINDS)('the %s store', (kind) => {
  it('saves states with their lineage, lists them in save order and reads their bytes back', async () => {
    const { store } = await (await kitOf(kind)).open()
    const [a1] = await store.saveStates([state('a', 'a one')])
    const [a2, b1] = await store.saveStates([state('a', 'a two'), state('b', 'b one', { a: 'v-of-a' })])
    expect(a2!.seq).toBeGreaterThan(a1!.seq)
    expect(b1!.seq).toBe(a2!.seq)
    expect((await store.listStates('a')).map((r) => r.seq)).toEqual([a1!.seq, a2!.seq])
    expect(await store.listStates('b')).toEqual([b1])
    expect(b1).toMatchObject({ node: 'b', lineage: { a: 'v-of-a' }, pipeline: 'p', savedBy: 'test', size: 5 })
    expect(Buffer.from(await store.readState(b1!)).toString()).toBe('b one')
    expect([...(await store.listNodes())].sort()).toEqual(['a', 'b'])
    expect(await store.listStates('never-saved')).toEqual([])
  })

  it('reads on first use when opened without reload(), and sees newer saves only after reload()', async () => {
    const kit = await kitOf(kind)
    await (await kit.open()).store.saveStates([state('a', 'first')])
    const reader = (await kit.open()).store
    expect(await reader.listStates('a')).toHaveLength(1)
    await (await kit.open()).store.saveStates([state('a', 'second')])
    expect(await reader.listStates('a')).toHaveLength(1)
    await reader.reload()
    expect(await reader.listStates('a')).toHaveLength(2)
  })

  it('loses nothing when many store objects save at the same time, each save its own number', async () => {
    const kit = await kitOf(kind)
    const stores = await Promise.all(Array.from({ length: 6 }, () => kit.open()))
    const records = (
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          stores[i % 6]!.store.saveStates([state(`n${i % 5}`, `body ${i}`)]),
        ),
      )
    ).flat()
    const check = (await kit.open()).store
    const all = (await Promise.all([0, 1, 2, 3, 4].map((n) => check.listStates(`n${n}`)))).flat()
    expect(all).toHaveLength(30)
    expect(new Set(all.map((r) => r.seq)).size).toBe(30)
    expect(new Set(records.map((r) => r.seq))).toEqual(new Set(all.map((r) => r.seq)))
    for (const r of all) expect(Buffer.from(await check.readState(r)).toString()).toMatch(/^body \d+$/)
  })

  it('keeps the newest 10 per node and the states their lineage names, and deletes the bytes of the rest', async () => {
    const { store, saver } = await (await kitOf(kind)).open()
    const [up1] = await store.saveStates([state('up', 'up 1')])
    await store.saveStates([state('down', 'down 1', { up: up1!.version })])
    for (let i = 2; i <= 12; i++) await store.saveStates([state('up', `up ${i}`)])
    for (let i = 2; i <= 11; i++) await store.saveStates([state('down', `down ${i}`, { up: up1!.version })])
    expect(await store.listStates('down')).toHaveLength(10)
    const ups = await store.listStates('up')
    // The ten newest, plus up 1, which the kept downs were trained on.
    expect(ups).toHaveLength(11)
    expect(ups[0]!.seq).toBe(up1!.seq)
    expect(await saver.list('/models/up')).toHaveLength(11)
    expect(await saver.list('/models/down')).toHaveLength(10)
    for (const r of ups) expect(await saver.exists(r.blob)).toBe(true)
  })

  it('prunes on demand to the number asked, and reports what it removed', async () => {
    const { store, saver } = await (await kitOf(kind)).open()
    for (let i = 0; i < 7; i++) await store.saveStates([state('a', `a ${i}`)])
    await store.saveStates([state('b', 'b 0')])
    expect(await store.prune({ keep: 4 })).toEqual({ removed: { a: 3 }, kept: { a: 4, b: 1 } })
    expect(await store.listStates('a')).toHaveLength(4)
    expect(await saver.list('/models/a')).toHaveLength(4)
  })

  it('writes the same bytes once, and a second save of them is its own state', async () => {
    const { store, saver } = await (await kitOf(kind)).open()
    const [first] = await store.saveStates([state('a', 'same')])
    const [second] = await store.saveStates([state('a', 'same')])
    expect(second!.seq).toBeGreaterThan(first!.seq)
    expect(second!.blob).toBe(first!.blob)
    expect(await store.listStates('a')).toHaveLength(2)
    expect(await saver.list('/models/a')).toHaveLength(1)
  })

  it('refuses two states of one node in one save, and saves nothing then', async () => {
    const { store } = await (await kitOf(kind)).open()
    await expect(store.saveStates([state('a', '1'), state('a', '2')])).rejects.toThrow(/one state per node/)
    expect(await store.listNodes()).toEqual([])
  })

  it('shows every write in its snapshot, and no read (what "a prediction job writes nothing" relies on)', async () => {
    const kit = await kitOf(kind)
    const { store, saver } = await kit.open()
    const [record] = await store.saveStates([state('a', 'x')])
    const before = await kit.snapshot()
    await store.listStates('a')
    await store.readState(record!)
    expect(await kit.snapshot()).toEqual(before)
    // S3 dates an object to the second: wait one out, so a rewrite of the same bytes shows.
    if (kind === 'postgres+s3') await new Promise((r) => setTimeout(r, 1_100))
    await saver.save(Buffer.from('x'), record!.blob) // the same bytes, written again
    expect(await kit.snapshot()).not.toEqual(before)
  })

  it('fails with STORE_ERROR naming the node and the path when a state has lost its bytes', async () => {
    const { store, saver } = await (await kitOf(kind)).open()
    const [record] = await store.saveStates([state('a', 'x')])
    await saver.delete(record!.blob)
    const err = await store.readState(record!).catch((e) => e)
    expect(err.code).toBe('STORE_ERROR')
    expect(err.message).toContain("node 'a'")
    expect(err.message).toContain(record!.blob)
  })
})
