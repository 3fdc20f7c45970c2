/**
 * Where Chariots keeps bytes: op state, metadata and data files. Paths are relative to the saver's
 * root (a leading `/` means the root). Every method is async.
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
  private lockChain = new Map<string, Promise<unknown>>()

  /** Writes `bytes` at `path`, replacing what was there; readers never see a partial file. */
  abstract save(bytes: Uint8Array, path: string): Promise<void>
  /** The bytes at `path`; a `NOT_FOUND` ChariotsError when there are none. */
  abstract load(path: string): Promise<Uint8Array>
  /** Whether a file exists at `path`. */
  abstract exists(path: string): Promise<boolean>

  /**
   * Runs `fn` while holding the lock `name`. This default serializes callers within one process;
   * savers shared by several processes (FileSaver) also lock across processes.
   */
  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.lockChain.get(name) ?? Promise.resolve()
    const run = previous.then(fn, fn)
    const tail = run.catch(() => undefined)
    this.lockChain.set(name, tail)
    try {
      return await run
    } finally {
      if (this.lockChain.get(name) === tail) this.lockChain.delete(name)
    }
  }
}
