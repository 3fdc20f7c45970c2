import { randomBytes } from 'node:crypto'
import { link, mkdir, open, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname, resolve } from 'node:path'
import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import { BaseSaver } from './base-saver.js'
import { safePath } from './safe-path.js'

/** Options of a {@link FileSaver}. */
export interface FileSaverOptions {
  /** A lock older than this is stale even when its holder cannot be checked (other host). Default 30 s. */
  staleLockMs?: number
  /** How long `withLock` waits for a lock before failing. Default 60 s. */
  lockTimeoutMs?: number
}

interface LockInfo {
  pid: number
  host: string
  nonce: string
  at: number
}

/**
 * A saver on the local file system (or a shared mount). Writes go to a temporary file that is
 * synced and renamed over the target, so readers see the old file or the new one, never a part.
 * Locks are lock files holding the holder's pid and host: a lock whose process is gone (or that
 * is older than `staleLockMs`) is broken by the next writer.
 *
 * @example
 * ```ts
 * const saver = new FileSaver('/var/lib/my-app')
 * await saver.save(new TextEncoder().encode('{}'), '/data/config.json')
 * ```
 */
export class FileSaver extends BaseSaver {
  readonly root: string
  private readonly staleLockMs: number
  private readonly lockTimeoutMs: number

  constructor(root: string, options: FileSaverOptions = {}) {
    super()
    this.root = resolve(root)
    this.staleLockMs = options.staleLockMs ?? 30_000
    this.lockTimeoutMs = options.lockTimeoutMs ?? 60_000
  }

  /** The absolute file path of a saver path (throws INVALID_PATH for one leaving the root). */
  resolve(path: string): string {
    return safePath(this.root, path)
  }

  async save(bytes: Uint8Array, path: string): Promise<void> {
    const target = this.resolve(path)
    const tmp = `${target}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`
    try {
      await mkdir(dirname(target), { recursive: true })
      const fh = await open(tmp, 'wx')
      try {
        await fh.writeFile(bytes)
        await fh.datasync()
      } finally {
        await fh.close()
      }
      await rename(tmp, target)
    } catch (cause) {
      await rm(tmp, { force: true }).catch(() => undefined)
      throw storeError(`could not write '${path}' under store root '${this.root}'`, cause)
    }
  }

  async load(path: string): Promise<Uint8Array> {
    const file = this.resolve(path)
    try {
      return await readFile(file)
    } catch (cause) {
      if (
        (cause as NodeJS.ErrnoException).code === 'ENOENT' ||
        (cause as NodeJS.ErrnoException).code === 'ENOTDIR'
      ) {
        throw new ChariotsError(ErrorCode.NOT_FOUND, `no file at '${path}' under store root '${this.root}'`, {
          cause,
          details: { path },
        })
      }
      throw storeError(`could not read '${path}' under store root '${this.root}'`, cause)
    }
  }

  async exists(path: string): Promise<boolean> {
    const file = this.resolve(path)
    try {
      return (await stat(file)).isFile()
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR') return false
      // Any other failure (EACCES, EIO) must not read as "missing": a save would then overwrite it.
      throw storeError(`could not check '${path}' under store root '${this.root}'`, cause)
    }
  }

  override async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    // Serialize within the process first, so only one local caller competes for the file.
    return super.withLock(name, async () => {
      const file = this.resolve(`/.locks/${name}.lock`)
      const info = await this.acquire(file)
      try {
        return await fn()
      } finally {
        await this.release(file, info)
      }
    })
  }

  private async acquire(file: string): Promise<LockInfo> {
    const info: LockInfo = {
      pid: process.pid,
      host: hostname(),
      nonce: randomBytes(8).toString('hex'),
      at: Date.now(),
    }
    const body = JSON.stringify(info)
    const deadline = Date.now() + this.lockTimeoutMs
    try {
      await mkdir(dirname(file), { recursive: true })
    } catch (cause) {
      throw storeError(`could not create the lock folder under store root '${this.root}'`, cause)
    }
    for (let attempt = 0; ; attempt++) {
      // Write the lock's content to a private file, then link it into place: the lock file never
      // exists empty, even when the process dies between creating and writing it.
      const tmp = `${file}.new-${info.nonce}`
      try {
        await writeFile(tmp, body)
        await link(tmp, file)
        return info
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw storeError(`could not take the lock '${file}'`, cause)
        }
      } finally {
        await unlink(tmp).catch(() => undefined)
      }
      await this.breakIfStale(file)
      if (Date.now() > deadline) {
        throw new ChariotsError(
          ErrorCode.STORE_ERROR,
          `timed out after ${this.lockTimeoutMs} ms waiting for the store lock '${file}'; if no Chariots process is running, delete it`,
        )
      }
      await new Promise((r) => setTimeout(r, Math.min(2 + attempt * 2, 50) * (0.5 + Math.random())))
    }
  }

  private async breakIfStale(file: string): Promise<void> {
    let held: LockInfo
    try {
      held = JSON.parse(await readFile(file, 'utf8'))
    } catch {
      // Missing (released meanwhile) or being written: an empty or partial lock older than the
      // stale limit is broken below through its mtime.
      const s = await stat(file).catch(() => null)
      if (!s || Date.now() - s.mtimeMs < this.staleLockMs) return
      held = { pid: -1, host: '', nonce: '', at: s.mtimeMs }
    }
    const dead = held.host === hostname() && held.pid > 0 && !processAlive(held.pid)
    if (!dead && Date.now() - held.at < this.staleLockMs) return
    // Move the stale lock aside, then check we moved the one we judged; if another writer had
    // replaced it meanwhile, put theirs back.
    const aside = `${file}.stale-${randomBytes(6).toString('hex')}`
    try {
      await rename(file, aside)
    } catch {
      return
    }
    const moved = await readFile(aside, 'utf8').catch(() => '')
    if (held.nonce && !moved.includes(held.nonce)) await link(aside, file).catch(() => undefined)
    await unlink(aside).catch(() => undefined)
  }

  private async release(file: string, info: LockInfo): Promise<void> {
    const current = await readFile(file, 'utf8').catch(() => '')
    if (current.includes(info.nonce)) await unlink(file).catch(() => undefined)
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function storeError(message: string, cause: unknown): ChariotsError {
  if (cause instanceof ChariotsError) return cause
  const code = (cause as NodeJS.ErrnoException)?.code
  const hint =
    code === 'ENOSPC'
      ? 'the disk is full'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'permission denied'
        : code === 'ENOTDIR' || code === 'EEXIST'
          ? 'a file stands where a folder is needed'
          : ((cause as Error)?.message ?? String(cause))
  return new ChariotsError(ErrorCode.STORE_ERROR, `${message}: ${hint}${code ? ` (${code})` : ''}`, {
    cause,
    details: code ? { errno: code } : undefined,
  })
}
