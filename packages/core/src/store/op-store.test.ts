import { createHash } from 'node:crypto'
import { cp, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/fixtures/temp-dir.js'
import { ChariotsError } from '../errors/chariots-error.js'
import { FileSaver } from '../savers/file-saver.js'
import { Version } from '../versioning/version.js'
import { indexPath, OpStore } from './op-store.js'
import type { NewState } from './state-store.js'

const tempDir = useTempDirs('chariots-op-store-')
const legacyFixture = fileURLToPath(new URL('../../test/fixtures/legacy-store', import.meta.url))

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

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort()
}

describe('OpStore: saved states with lineage', () => {
  it('saves states with their lineage, lists them in save order and reads their bytes back', async () => {
    const root = await tempDir()
    const store = new OpStore(new FileSaver(root))
    const [a1] = await store.saveStates([state('a', 'a one')])
    const [a2, b1] = await store.saveStates([state('a', 'a two'), state('b', 'b one', { a: 'v-of-a' })])
    expect(a2!.seq).toBeGreaterThan(a1!.seq)
    expect(b1!.seq).toBe(a2!.seq)
    expect((await store.listStates('a')).map((r) => r.seq)).toEqual([a1!.seq, a2!.seq])
    expect(await store.listStates('b')).toEqual([b1])
    expect(b1).toMatchObject({ node: 'b', lineage: { a: 'v-of-a' }, pipeline: 'p', savedBy: 'test', size: 5 })
    expect(Buffer.from(await store.readState(b1!)).toString()).toBe('b one')
    expect([...(await store.listNodes())].sort()).toEqual(['a', 'b'])
    // Content-addressed bytes, and one index file per commit.
    const sha = createHash('sha256').update('b one').digest('hex')
    expect(await files(root)).toEqual(
      [
        indexPath(1).slice(1),
        indexPath(2).slice(1),
        `models/a/${createHash('sha256').update('a one').digest('hex')}`,
        `models/a/${createHash('sha256').update('a two').digest('hex')}`,
        `models/b/${sha}`,
      ].sort(),
    )
  })

  it('reads its index on first use when opened without reload(), and sees newer saves after reload()', async () => {
    const root = await tempDir()
    await new OpStore(new FileSaver(root)).saveStates([state('a', 'first')])
    const reader = new OpStore(new FileSaver(root))
    expect(await reader.listStates('a')).toHaveLength(1)
    await new OpStore(new FileSaver(root)).saveStates([state('a', 'second')])
    expect(await reader.listStates('a')).toHaveLength(1)
    await reader.reload()
    expect(await reader.listStates('a')).toHaveLength(2)
  })

  it('loses nothing when many stores on one folder save at the same time', async () => {
    const root = await tempDir()
    const saves = Array.from({ length: 30 }, (_, i) =>
      new OpStore(new FileSaver(root)).saveStates([state(`n${i % 5}`, `body ${i}`)]),
    )
    const records = (await Promise.all(saves)).flat()
    const store = new OpStore(new FileSaver(root), { retention: false })
    const all = (await Promise.all([0, 1, 2, 3, 4].map((n) => store.listStates(`n${n}`)))).flat()
    expect(all).toHaveLength(30)
    expect(new Set(all.map((r) => r.seq)).size).toBe(30)
    expect(new Set(records.map((r) => r.seq)).size).toBe(30)
  })

  it('never writes over a commit it did not read, even when writers do not lock at all', async () => {
    // Writers whose lock does nothing stand for a writer whose lock was broken while it paused:
    // the exclusive creation of each index file still makes every commit land.
    class NoLockSaver extends FileSaver {
      override withLock<T>(_name: string, fn: () => Promise<T>): Promise<T> {
        return fn()
      }
    }
    const root = await tempDir()
    const stores = Array.from({ length: 6 }, () => new OpStore(new NoLockSaver(root), { retention: false }))
    await Promise.all(
      Array.from({ length: 36 }, (_, i) => stores[i % 6]!.saveStates([state(`n${i % 4}`, `body ${i}`)])),
    )
    const check = new OpStore(new FileSaver(root), { retention: false })
    const seqs = (await Promise.all([0, 1, 2, 3].map((n) => check.listStates(`n${n}`))))
      .flat()
      .map((r) => r.seq)
    expect(seqs).toHaveLength(36)
    expect(new Set(seqs).size).toBe(36)
  })

  it('keeps the newest states per node and the states their lineage names, and deletes the rest', async () => {
    const root = await tempDir()
    const store = new OpStore(new FileSaver(root), { retention: 2 })
    const [up1] = await store.saveStates([state('up', 'up 1')])
    await store.saveStates([state('down', 'down 1', { up: up1!.version })])
    for (let i = 2; i <= 4; i++) await store.saveStates([state('up', `up ${i}`)])
    for (let i = 2; i <= 3; i++) await store.saveStates([state('down', `down ${i}`, { up: up1!.version })])
    expect(await store.listStates('down')).toHaveLength(2)
    const ups = await store.listStates('up')
    // The two newest, plus up 1, which the kept downs were trained on.
    expect(ups.map((r) => r.seq)).toEqual([up1!.seq, ups[1]!.seq, ups[2]!.seq])
    const models = await files(join(root, 'models'))
    expect(models.filter((f) => f.startsWith('up/'))).toHaveLength(3)
    expect(models.filter((f) => f.startsWith('down/'))).toHaveLength(2)
  })

  it('prunes on demand, and keeps every state when retention is off', async () => {
    const root = await tempDir()
    const store = new OpStore(new FileSaver(root), { retention: false })
    for (let i = 0; i < 12; i++) await store.saveStates([state('a', `a ${i}`)])
    expect(await store.listStates('a')).toHaveLength(12)
    expect(await store.prune({ keep: 4 })).toEqual({ removed: { a: 8 }, kept: { a: 4 } })
    const fresh = new OpStore(new FileSaver(root))
    expect(await fresh.listStates('a')).toHaveLength(4)
    expect(await files(join(root, 'models', 'a'))).toHaveLength(4)
    // Old index files go too: only the last few commits stay readable.
    expect((await readdir(join(root, '_index'))).length).toBeLessThanOrEqual(9)
  })

  it('with retention off, moves old states to history chunks: a small commit file, every state still listed', async () => {
    const root = await tempDir()
    const store = new OpStore(new FileSaver(root), { retention: false })
    const saved = []
    for (let i = 0; i < 250; i++) saved.push(...(await store.saveStates([state('a', `a ${i}`)])))
    const fresh = new OpStore(new FileSaver(root), { retention: false })
    const recent = await fresh.recentStates('a')
    expect(recent.complete).toBe(false)
    expect(recent.states.length).toBeLessThanOrEqual(116)
    expect(recent.states.at(-1)!.seq).toBe(saved.at(-1)!.seq)
    expect((await fresh.listStates('a')).map((r) => r.seq)).toEqual(saved.map((r) => r.seq))
    const newest = JSON.parse(await readFile(join(root, indexPath(250)), 'utf8'))
    expect(newest.states.length).toBe(recent.states.length)
    expect(Object.keys(newest.history)).toEqual(['a'])
    expect(await files(join(root, '_index', 'history', 'a'))).toHaveLength(2)

    // A prune reads the history back, keeps the newest, and removes the chunk files.
    expect(await fresh.prune({ keep: 3 })).toEqual({ removed: { a: 247 }, kept: { a: 3 } })
    const pruned = new OpStore(new FileSaver(root))
    expect((await pruned.listStates('a')).map((r) => r.seq)).toEqual(saved.slice(-3).map((r) => r.seq))
    expect(await pruned.recentStates('a')).toMatchObject({ complete: true })
    expect(await files(join(root, '_index', 'history', 'a'))).toEqual([])
  })

  it('writes the same bytes once', async () => {
    const root = await tempDir()
    const store = new OpStore(new FileSaver(root))
    await store.saveStates([state('a', 'same')])
    await store.saveStates([state('a', 'same')])
    expect(await store.listStates('a')).toHaveLength(2)
    expect(await files(join(root, 'models'))).toHaveLength(1)
  })

  it('fails with STORE_ERROR naming the index file when it is broken', async () => {
    const root = await tempDir()
    const store = new OpStore(new FileSaver(root))
    await store.saveStates([state('a', 'x')])
    await writeFile(join(root, indexPath(1)), '{"format": 2, "commit": 1,')
    const err = await new OpStore(new FileSaver(root)).listStates('a').catch((e) => e)
    expect(err).toBeInstanceOf(ChariotsError)
    expect(err.code).toBe('STORE_ERROR')
    expect(err.message).toContain(indexPath(1))
    expect(err.message).toContain('restore it from a backup')
  })

  it('refuses two states of one node in one save, and a bad retention', async () => {
    const store = new OpStore(new FileSaver(await tempDir()))
    await expect(store.saveStates([state('a', '1'), state('a', '2')])).rejects.toThrow(/one state per node/)
    expect(() => new OpStore(new FileSaver('/tmp'), { retention: 0 })).toThrow(/retention/)
  })
})

describe('OpStore: a store written before lineage (/_meta.json)', () => {
  it('reads the old layout as states with rebuilt lineage, and migrates it on the first save', async () => {
    const root = await tempDir()
    await cp(legacyFixture, root, { recursive: true })
    const metaBefore = await readFile(join(root, '_meta.json'), 'utf8')
    const store = new OpStore(new FileSaver(root))
    const means = await store.listStates('mean')
    const scales = await store.listStates('scale')
    expect(means).toHaveLength(2)
    expect(scales).toHaveLength(2)
    // Each scale was trained after its own mean: the lineage pairs them.
    expect(scales[0]!.lineage).toEqual({ mean: means[0]!.version })
    expect(scales[1]!.lineage).toEqual({ mean: means[1]!.version })
    expect(await store.listStates('counter')).toHaveLength(1)
    const bytes = Buffer.from(await store.readState(scales[1]!))
    expect(JSON.parse(bytes.subarray(4 + bytes.readUInt32BE(0)).toString())).toBe(10)

    await store.saveStates([state('other', 'new')])
    const migrated = new OpStore(new FileSaver(root))
    expect(await migrated.listStates('mean')).toEqual(means)
    expect(await migrated.listStates('other')).toHaveLength(1)
    expect(await readFile(join(root, '_meta.json'), 'utf8')).toBe(metaBefore)
  })

  it('fails with STORE_ERROR naming /_meta.json when it is not JSON', async () => {
    const root = await tempDir()
    await writeFile(join(root, '_meta.json'), '{ nope')
    const err = await new OpStore(new FileSaver(root)).listStates('a').catch((e) => e)
    expect(err.code).toBe('STORE_ERROR')
    expect(err.message).toContain('/_meta.json')
  })
})
