/**
 * Named in-process mutexes: `run(key, fn)` waits for the previous holder of `key`, then runs `fn`.
 * A failing `fn` releases the key like a successful one.
 *
 * @example
 * ```ts
 * const locks = new PromiseMutex()
 * await locks.run('index', () => writeIndex())
 * ```
 */
export class PromiseMutex<K = string> {
  private readonly tails = new Map<K, Promise<unknown>>()

  async run<T>(key: K, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const run = previous.then(fn, fn)
    const tail = run.then(
      () => undefined,
      () => undefined,
    )
    this.tails.set(key, tail)
    try {
      return await run
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}
