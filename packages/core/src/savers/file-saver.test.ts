import { mkdir, open, readdir, readFile, utimes, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { useTempDirs } from '../../test/fixtures/temp-dir.js'
import { ChariotsError } from '../errors/chariots-error.js'
import { OpStore } from '../store/op-store.js'
import { Version } from '../versioning/version.js'
import { FileSaver } from './file-saver.js'

const tempDir = useTempDirs('chariots-file-saver-')
const bytes = (text: string) => Buffer.from(text, 'utf8')
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8')

async function rejection(promise: Promise<unknown>): Promise<ChariotsError> {
  try {
    await promise
  } catch (e) {
    expect(e).toBeInstanceOf(ChariotsError)
    return e as ChariotsError
  }
  throw new Error('expected a rejection, and the promise resolved')
}

/** Every file under `dir`, as paths relative to it. */
async function listing(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort()
}

describe('FileSaver: save, load, exists', () => {
  it('saves bytes at a root-relative path (a leading / means the root), creating folders', async () => {
    const root = await tempDir()
    const saver = new FileSaver(root)
    await saver.save(bytes('{"a":1}'), '/data/nested/deep/config.json')
    await saver.save(bytes('model'), 'models/pca/v1')
    expect(await readFile(join(root, 'data/nested/deep/config.json'), 'utf8')).toBe('{"a":1}')
    expect(text(await saver.load('data/nested/deep/config.json'))).toBe('{"a":1}')
    expect(text(await saver.load('/models/pca/v1'))).toBe('model')
    expect(await saver.exists('/data/nested/deep/config.json')).toBe(true)
    expect(await saver.exists('/data/nested/missing.json')).toBe(false)
    // A folder is not a saved file.
    expect(await saver.exists('/data/nested')).toBe(false)
  })

  it('replaces a file on a second save', async () => {
    const saver = new FileSaver(await tempDir())
    await saver.save(bytes('first, and longer'), 'x.txt')
    await saver.save(bytes('second'), 'x.txt')
    expect(text(await saver.load('x.txt'))).toBe('second')
  })

  it('fails to load a missing file with NOT_FOUND naming the path', async () => {
    const root = await tempDir()
    const err = await rejection(new FileSaver(root).load('/models/pca/nope'))
    expect(err.code).toBe('NOT_FOUND')
    expect(err.message).toContain('/models/pca/nope')
    expect(err.message).toContain(root)
    expect(err.details).toEqual({ path: '/models/pca/nope' })
  })
})

describe('FileSaver writes are atomic', () => {
  it('leaves no temporary file behind after saves', async () => {
    const root = await tempDir()
    const saver = new FileSaver(root)
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => saver.save(bytes(`v${i}`), `/a/file-${i % 3}.json`)),
    )
    expect(await listing(root)).toEqual(['a', 'a/file-0.json', 'a/file-1.json', 'a/file-2.json'])
  })

  it('never lets a reader see a partial file while the same path is saved again and again', async () => {
    const saver = new FileSaver(await tempDir())
    const size = 1 << 20
    const versions = Array.from({ length: 8 }, (_, k) => Buffer.alloc(size, k + 1))
    await saver.save(versions[0]!, '/data/big.bin')

    let writing = true
    const writer = (async () => {
      try {
        for (let round = 0; round < 5; round++) {
          await Promise.all(versions.map((v) => saver.save(v, '/data/big.bin')))
        }
      } finally {
        writing = false
      }
    })()
    let reads = 0
    const seen = new Set<number>()
    while (writing) {
      const got = Buffer.from(await saver.load('/data/big.bin'))
      const expected = versions[got[0]! - 1]
      expect(expected, `read starts with byte ${got[0]}, which no save wrote`).toBeDefined()
      expect(got.length).toBe(size)
      expect(got.equals(expected!)).toBe(true)
      seen.add(got[0]!)
      reads++
    }
    await writer
    expect(reads).toBeGreaterThan(5)
    expect(seen.size).toBeGreaterThan(1)
  })
})

describe('FileSaver failures', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('gives STORE_ERROR with a clear message when a file stands where the root folder should be', async () => {
    const parent = await tempDir()
    const root = join(parent, 'store')
    await writeFile(root, 'not a folder')
    await writeFile(join(parent, 'keep.json'), '{"keep":true}')
    const before = await listing(parent)
    const saver = new FileSaver(root)

    for (const path of ['/_meta.json', '/models/pca/v1']) {
      const err = await rejection(saver.save(bytes('{}'), path))
      expect(err.code).toBe('STORE_ERROR')
      expect(err.message).toContain(`could not write '${path}' under store root '${root}'`)
      expect(err.message).toMatch(/a file stands where a folder is needed \((ENOTDIR|EEXIST)\)/)
    }
    // The store's own save (bytes, then the index under the lock) fails the same way.
    const storeErr = await rejection(
      new OpStore(saver).saveStates([
        { node: 'pca', version: Version.now().toString(), codeVersion: null, lineage: {}, bytes: bytes('m') },
      ]),
    )
    expect(storeErr.code).toBe('STORE_ERROR')
    expect(storeErr.message).toContain(root)

    expect(await listing(parent)).toEqual(before)
    expect(await readFile(root, 'utf8')).toBe('not a folder')
    expect(await readFile(join(parent, 'keep.json'), 'utf8')).toBe('{"keep":true}')
  })

  it('keeps the previous file and leaves no temporary file when the disk is full (ENOSPC)', async () => {
    const root = await tempDir()
    const saver = new FileSaver(root)
    await saver.save(bytes('previous model'), '/models/m/v1')

    // Find the FileHandle class through a real handle and make its next writeFile fail halfway.
    const probe = await open(join(root, 'probe'), 'w')
    const proto = Object.getPrototypeOf(probe) as { writeFile(data: Uint8Array): Promise<void> }
    await probe.close()
    const realWriteFile = proto.writeFile
    const spy = vi.spyOn(proto, 'writeFile').mockImplementationOnce(async function (
      this: unknown,
      data: Uint8Array,
    ) {
      await realWriteFile.call(this, Buffer.from(data).subarray(0, 3))
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
        code: 'ENOSPC',
        errno: -28,
        syscall: 'write',
      })
    })

    const err = await rejection(saver.save(bytes('new model that does not fit'), '/models/m/v1'))
    expect(spy).toHaveBeenCalledTimes(1)
    expect(err.code).toBe('STORE_ERROR')
    expect(err.message).toContain("could not write '/models/m/v1'")
    expect(err.message).toContain('the disk is full (ENOSPC)')
    expect(err.details).toEqual({ errno: 'ENOSPC' })
    expect(text(await saver.load('/models/m/v1'))).toBe('previous model')
    expect(await listing(join(root, 'models'))).toEqual(['m', 'm/v1'])

    // The next save (disk freed) works.
    await saver.save(bytes('new model'), '/models/m/v1')
    expect(text(await saver.load('/models/m/v1'))).toBe('new model')
  })
})

describe('FileSaver locks', () => {
  const lockPath = (root: string) => join(root, '.locks', 'meta.lock')

  it('runs lock holders one at a time and removes the lock file afterwards', async () => {
    const root = await tempDir()
    const saver = new FileSaver(root)
    let inside = 0
    let maxInside = 0
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        // A second saver on the same root competes through the lock file, not the in-process chain.
        (i % 2 ? saver : new FileSaver(root)).withLock('meta', async () => {
          inside++
          maxInside = Math.max(maxInside, inside)
          await new Promise((r) => setTimeout(r, 2))
          inside--
        }),
      ),
    )
    expect(maxInside).toBe(1)
    expect(await listing(join(root, '.locks'))).toEqual([])
  })

  it('releases the lock when the holder throws, and passes the error on', async () => {
    const root = await tempDir()
    const saver = new FileSaver(root)
    await expect(saver.withLock('meta', async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    )
    expect(await saver.withLock('meta', async () => 'next')).toBe('next')
    expect(await listing(join(root, '.locks'))).toEqual([])
  })

  it('breaks a lock of another host once its heartbeat (the file time) is older than staleLockMs', async () => {
    const root = await tempDir()
    await mkdir(join(root, '.locks'))
    const old = { pid: 4242, host: `not-${hostname()}`, nonce: 'abandoned', at: Date.now() - 5_000 }
    await writeFile(lockPath(root), JSON.stringify(old))
    const past = new Date(Date.now() - 5_000)
    await utimes(lockPath(root), past, past)
    const saver = new FileSaver(root, { staleLockMs: 1_000, lockTimeoutMs: 10_000 })
    const started = Date.now()
    expect(await saver.withLock('meta', async () => 'got it')).toBe('got it')
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(await listing(join(root, '.locks'))).toEqual([])
  })

  it('never breaks the lock of a live process here, however old; breaks a dead or reused pid at once', async () => {
    const root = await tempDir()
    await mkdir(join(root, '.locks'))
    const start = (await readFile(`/proc/${process.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')[19]!
    const longAgo = new Date(Date.now() - 3_600_000)
    const live = { pid: process.pid, start, host: hostname(), nonce: 'live', at: longAgo.getTime() }
    await writeFile(lockPath(root), JSON.stringify(live))
    await utimes(lockPath(root), longAgo, longAgo)
    const waiting = new FileSaver(root, { staleLockMs: 100, lockTimeoutMs: 400 })
    const err = await rejection(waiting.withLock('meta', async () => 'should not run'))
    expect(err.code).toBe('TIMEOUT')
    expect(err.message).toMatch(/timed out after 400 ms waiting for the store lock .* held by pid \d+/)
    expect(JSON.parse(await readFile(lockPath(root), 'utf8'))).toEqual(live)

    // The same pid with another start time is another process (the pid was reused): gone.
    await writeFile(lockPath(root), JSON.stringify({ ...live, start: '1', nonce: 'reused' }))
    expect(await new FileSaver(root).withLock('meta', async () => 'got it')).toBe('got it')
  })

  it('does not break a lock of another host while its heartbeat is fresh', async () => {
    const root = await tempDir()
    await mkdir(join(root, '.locks'))
    const holder = { pid: 4242, host: `not-${hostname()}`, nonce: 'remote', at: Date.now() - 3_600_000 }
    await writeFile(lockPath(root), JSON.stringify(holder))
    const saver = new FileSaver(root, { staleLockMs: 60_000, lockTimeoutMs: 150 })
    const err = await rejection(saver.withLock('meta', async () => 'should not run'))
    expect(err.code).toBe('TIMEOUT')
    expect(JSON.parse(await readFile(lockPath(root), 'utf8'))).toEqual(holder)
  })

  it('keeps the lock file fresh while a holder works longer than staleLockMs', async () => {
    const root = await tempDir()
    const saver = new FileSaver(root, { staleLockMs: 200 })
    const mtimes: number[] = []
    await saver.withLock('meta', async () => {
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 100))
        mtimes.push((await import('node:fs/promises').then((fs) => fs.stat(lockPath(root)))).mtimeMs)
      }
    })
    // The heartbeat moved the file time forward while the holder worked.
    expect(new Set(mtimes).size).toBeGreaterThan(2)
    expect(mtimes.at(-1)! - mtimes[0]!).toBeGreaterThan(200)
  })
})

describe('FileSaver: exclusive writes, deletes and symbolic links', () => {
  it('writes with saveExclusive only when nothing is there, also when many race for the path', async () => {
    const root = await tempDir()
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        new FileSaver(root).saveExclusive(bytes(`writer ${i}`), '/_index/1.json'),
      ),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    const winner = results.indexOf(true)
    expect(await readFile(join(root, '_index/1.json'), 'utf8')).toBe(`writer ${winner}`)
    expect((await listing(root)).filter((f) => f.includes('.tmp-'))).toEqual([])
  })

  it('deletes a file, and deleting a missing one is not an error', async () => {
    const root = await tempDir()
    const saver = new FileSaver(root)
    await saver.save(bytes('x'), '/models/a/1')
    await saver.delete('/models/a/1')
    expect(await saver.exists('/models/a/1')).toBe(false)
    await saver.delete('/models/a/1')
  })

  it('refuses reads and writes that leave the root through a symbolic link, and writes nothing outside', async () => {
    const { symlink } = await import('node:fs/promises')
    const root = await tempDir()
    const outside = await tempDir()
    await writeFile(join(outside, 'secret.txt'), 'secret')
    await symlink(outside, join(root, 'data'))
    const saver = new FileSaver(root)
    for (const attempt of [
      () => saver.load('/data/secret.txt'),
      () => saver.exists('/data/secret.txt'),
      () => saver.save(bytes('overwritten'), '/data/secret.txt'),
      () => saver.save(bytes('new'), '/data/new.txt'),
    ]) {
      const err = await rejection(attempt())
      expect(err.code).toBe('INVALID_PATH')
      expect(err.message).toContain('through a symbolic link')
    }
    expect(await readdir(outside)).toEqual(['secret.txt'])
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret')
    // A link that stays inside the root is fine.
    await mkdir(join(root, 'real'))
    await symlink(join(root, 'real'), join(root, 'inside'))
    await saver.save(bytes('ok'), '/inside/file.txt')
    expect(await readFile(join(root, 'real', 'file.txt'), 'utf8')).toBe('ok')
  })
})
