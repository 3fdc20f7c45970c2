import { randomBytes } from 'node:crypto'
import {
  link,
  mkdir,
  open,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname, resolve, sep } from 'node:path'
import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import { BaseSaver } from './base-saver.js'
import { type LockHolder, lockHolderOf, processStartOf, sameProcessAlive } from './lock-holder.js'
import { safePath } from './safe-path.js'

/** Options of a {@link FileSaver}. */
export interface FileSaverOptions {
  /**
   * A lock whose holder runs on another host (a shared mount) is broken when its heartbeat is older
   * than this. A holder on this host is never broken while its process lives. Default 30 s.
   */
  staleLockMs?: number
  /** How long `withLock` waits for a lock before failing. Default 60 s. */
  lockTimeoutMs?: number
}

/**
 * A saver on the local file system (or a shared mount). Writes go to a temporary file that is
 * synced and renamed over the target, so readers see the old file or the new one, never a part.
 * Paths are resolved with realpath: a symlink inside the root that points out of it is refused.
 *
 * Locks are lock files holding the holder's pid, process start time and host, refreshed by a
 * heartbeat while held. A lock is broken only when its holder is provably gone: a dead process on
 * this host, or (another host) a heartbeat older than `staleLockMs`. A live holder is never broken,
 * however long it holds the lock.
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
  private realRoot: string | undefined

  constructor(root: string, options: FileSaverOptions = {}) {
    super()
    this.root = resolve(root)
    this.staleLockMs = options.staleLockMs ?? 30_000
    this.lockTimeoutMs = options.lockTimeoutMs ?? 60_000
  }

  override get location(): string {
    return this.root
  }

  /** The absolute file path of a saver path (throws INVALID_PATH for one leaving the root). */
  resolve(path: string): string {
    return safePath(this.root, path)
  }

  /** The absolute path of a folder under the root ('/' is the root itself). */
  private resolveFolder(folder: string): string {
    return folder.replace(/^\/+/, '') === '' ? this.root : this.resolve(folder)
  }

  async save(bytes: Uint8Array, path: string): Promise<void> {
    const target = this.resolve(path)
    const tmp = tempName(target)
    try {
      await this.prepareFolder(target, path)
      await writeSynced(tmp, bytes)
      await rename(tmp, target)
    } catch (cause) {
      await rm(tmp, { force: true }).catch(() => undefined)
      throw storeError(`could not write '${path}' under store root '${this.root}'`, cause)
    }
  }

  /** Writes only if nothing is at `path`, atomically across processes (a hard link never replaces). */
  override async saveExclusive(bytes: Uint8Array, path: string): Promise<boolean> {
    const target = this.resolve(path)
    const tmp = tempName(target)
    try {
      await this.prepareFolder(target, path)
      await writeSynced(tmp, bytes)
      await link(tmp, target)
      return true
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST') return false
      throw storeError(`could not write '${path}' under store root '${this.root}'`, cause)
    } finally {
      await rm(tmp, { force: true }).catch(() => undefined)
    }
  }

  async load(path: string): Promise<Uint8Array> {
    const file = this.resolve(path)
    try {
      await this.checkInside(file, path)
      return await readFile(file)
    } catch (cause) {
      if (isMissing(cause)) {
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
      await this.checkInside(file, path)
      return (await stat(file)).isFile()
    } catch (cause) {
      if (isMissing(cause)) return false
      // Any other failure (EACCES, EIO) must not read as "missing": a save would then overwrite it.
      throw storeError(`could not check '${path}' under store root '${this.root}'`, cause)
    }
  }

  override async list(folder: string): Promise<string[]> {
    const dir = this.resolveFolder(folder)
    try {
      await this.checkInside(dir, folder)
      const entries = await readdir(dir, { withFileTypes: true })
      return entries.filter((e) => e.isFile()).map((e) => e.name)
    } catch (cause) {
      if (isMissing(cause)) return []
      throw storeError(`could not list '${folder}' under store root '${this.root}'`, cause)
    }
  }

  override async delete(path: string): Promise<void> {
    const file = this.resolve(path)
    try {
      await this.checkInside(dirname(file), path)
      await unlink(file)
    } catch (cause) {
      if (isMissing(cause)) return
      throw storeError(`could not delete '${path}' under store root '${this.root}'`, cause)
    }
  }

  override async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    // Serialize within the process first, so only one local caller competes for the file.
    return super.withLock(name, async () => {
      const file = this.resolve(`/.locks/${name}.lock`)
      const held = await this.acquire(file)
      const beat = setInterval(() => void this.heartbeat(file, held), Math.max(50, this.staleLockMs / 4))
      beat.unref()
      try {
        return await fn()
      } finally {
        clearInterval(beat)
        await this.release(file, held)
      }
    })
  }

  /** Creates the target's folder and checks it did not lead out of the root through a symlink. */
  private async prepareFolder(target: string, path: string): Promise<void> {
    await mkdir(dirname(target), { recursive: true })
    await this.checkInside(dirname(target), path)
  }

  /**
   * Refuses a path whose real location (symlinks followed) is outside the root's real location.
   * A path that does not exist yet is checked through its deepest existing folder.
   */
  private async checkInside(file: string, path: string): Promise<void> {
    this.realRoot ??= await realpath(this.root).catch(() => undefined)
    const root = this.realRoot
    if (!root) return // no root yet: nothing under it can be a symlink
    let real: string | undefined
    for (let at = file; ; at = dirname(at)) {
      real = await realpath(at).catch((e: NodeJS.ErrnoException) => {
        if (isMissing(e)) return undefined
        throw e
      })
      if (real !== undefined || at === dirname(at)) break
    }
    if (real === undefined || real === root || real.startsWith(root + sep)) return
    throw new ChariotsError(
      ErrorCode.INVALID_PATH,
      `path '${path}' is not allowed: it leaves the store root '${this.root}' through a symbolic link (to '${real}'); remove the link or move the store`,
      { details: { path } },
    )
  }

  private async acquire(file: string): Promise<LockHolder> {
    const held: LockHolder = {
      pid: process.pid,
      start: await ownStart(),
      host: hostname(),
      nonce: randomBytes(8).toString('hex'),
      at: Date.now(),
    }
    const body = JSON.stringify(held)
    const deadline = Date.now() + this.lockTimeoutMs
    try {
      await mkdir(dirname(file), { recursive: true })
    } catch (cause) {
      throw storeError(`could not create the lock folder under store root '${this.root}'`, cause)
    }
    for (let attempt = 0; ; attempt++) {
      // Write the lock's content to a private file, then link it into place: the lock file never
      // exists empty, even when the process dies between creating and writing it.
      const tmp = `${file}.new-${held.nonce}`
      try {
        // No fsync: a lock means nothing after a crash of the machine, and this is the hot path.
        await writeFile(tmp, body, { flag: 'wx' })
        await link(tmp, file)
        return held
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw storeError(`could not take the lock '${file}'`, cause)
        }
      } finally {
        await unlink(tmp).catch(() => undefined)
      }
      await this.breakIfGone(file)
      if (Date.now() > deadline) {
        const holder = lockHolderOf(await readFile(file, 'utf8').catch(() => ''))
        throw new ChariotsError(
          ErrorCode.TIMEOUT,
          `timed out after ${this.lockTimeoutMs} ms waiting for the store lock '${file}'${holder ? `, held by pid ${holder.pid} on ${holder.host}` : ''}; it is released when that process finishes its save or exits`,
          { details: { lock: file, holder } },
        )
      }
      await new Promise((r) => setTimeout(r, Math.min(1 + attempt, 20) * (0.5 + Math.random())))
    }
  }

  /** Moves a lock aside when its holder is gone (never when it may be alive). */
  private async breakIfGone(file: string): Promise<void> {
    const [text, info] = await Promise.all([
      readFile(file, 'utf8').catch(() => null),
      stat(file).catch(() => null),
    ])
    if (text === null || info === null) return // released meanwhile
    const holder = lockHolderOf(text)
    const sinceBeat = Date.now() - info.mtimeMs
    let gone: boolean
    if (holder && holder.host === hostname()) gone = !(await sameProcessAlive(holder))
    else gone = sinceBeat > this.staleLockMs // another host (or unreadable): only a stopped heartbeat
    if (!gone) return
    // Move the lock aside, then check we moved the one we judged; if another writer had replaced
    // it meanwhile, put theirs back.
    const aside = `${file}.stale-${randomBytes(6).toString('hex')}`
    try {
      await rename(file, aside)
    } catch {
      return
    }
    const moved = await readFile(aside, 'utf8').catch(() => '')
    if (moved !== text) await link(aside, file).catch(() => undefined)
    await unlink(aside).catch(() => undefined)
  }

  private async heartbeat(file: string, held: LockHolder): Promise<void> {
    const current = await readFile(file, 'utf8').catch(() => '')
    if (!current.includes(held.nonce)) return
    const now = new Date()
    await utimes(file, now, now).catch(() => undefined)
  }

  private async release(file: string, held: LockHolder): Promise<void> {
    const current = await readFile(file, 'utf8').catch(() => '')
    if (current.includes(held.nonce)) await unlink(file).catch(() => undefined)
  }
}

let ownStartTime: Promise<string | null> | undefined

/** This process's start time, read once. */
function ownStart(): Promise<string | null> {
  ownStartTime ??= processStartOf(process.pid)
  return ownStartTime
}

function tempName(target: string): string {
  return `${target}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`
}

async function writeSynced(file: string, bytes: Uint8Array): Promise<void> {
  const fh = await open(file, 'wx')
  try {
    await fh.writeFile(bytes)
    await fh.datasync()
  } finally {
    await fh.close()
  }
}

function isMissing(cause: unknown): boolean {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
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
