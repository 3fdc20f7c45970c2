import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import { PromiseMutex } from '../lifecycle/promise-mutex.js'

/**
 * Where Chariots keeps bytes: op state, the store's index and data files. Paths are relative to
 * the saver's root (a leading `/` means the root). Every method is async.
 *
 * A saver that backs a store shared by several processes must make `saveExclusive` atomic across
 * them (FileSaver does, with a hard link): the store's commits rely on it.
 *
 * @example
 * ```ts
 * class MemorySaver extends BaseSaver {
 *   files = new Map<string, Uint8Array>()
 *   async save(bytes: Uint8Array, path: string) { this.files.set(path, bytes) }
 *   async load(path: string) { return this.files.get(path)! }
 *   async exists(path: string) { return this.files.has(path) }
 * }
 * ```
 */
export abstract class BaseSaver {
  private readonly locks = new PromiseMutex()

  /** Where the bytes are, for logs and errors (FileSaver: its root folder). */
  get location(): string {
    return this.constructor.name
  }

  /** Writes `bytes` at `path`, replacing what was there; readers never see a partial file. */
  abstract save(bytes: Uint8Array, path: string): Promise<void>
  /** The bytes at `path`; a `NOT_FOUND` ChariotsError when there are none. */
  abstract load(path: string): Promise<Uint8Array>
  /** Whether a file exists at `path`. */
  abstract exists(path: string): Promise<boolean>

  /**
   * Writes `bytes` at `path` only if nothing is there yet; answers whether it wrote. This default
   * is atomic within one process only.
   */
  async saveExclusive(bytes: Uint8Array, path: string): Promise<boolean> {
    return this.locks.run(`exclusive:${path}`, async () => {
      if (await this.exists(path)) return false
      await this.save(bytes, path)
      return true
    })
  }

  /**
   * The names of the files directly in `folder` (none when it does not exist). The folder store
   * lists its index folder to find the newest commit; savers that cannot list say so.
   */
  async list(folder: string): Promise<string[]> {
    throw new ChariotsError(
      ErrorCode.STORE_ERROR,
      `${this.constructor.name} cannot list '${folder}': implement list(folder) to keep a store on it`,
      { details: { path: folder, unsupported: true } },
    )
  }

  /** Removes the file at `path` (nothing when there is none). Savers that cannot delete say so. */
  async delete(path: string): Promise<void> {
    throw new ChariotsError(
      ErrorCode.STORE_ERROR,
      `${this.constructor.name} cannot delete '${path}': implement delete(path) to let the store prune old states`,
      { details: { path, unsupported: true } },
    )
  }

  /**
   * Runs `fn` while holding the lock `name`. This default serializes callers within one process;
   * savers shared by several processes (FileSaver) also lock across processes.
   */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(name, fn)
  }
}
