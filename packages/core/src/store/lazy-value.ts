/**
 * A value read on first use and kept (a store's index, read without an explicit `reload()`):
 * concurrent first uses share one read, a failed read is tried again by the next use, and a value
 * set while a read is in flight (a commit's, newer) wins over what the read brings back.
 *
 * @example
 * ```ts
 * const lastSeq = new LazyValue(() => readLastSeqFromDisk())
 * await lastSeq.get() // reads once; later calls answer the kept value
 * lastSeq.set(42) // after a commit
 * ```
 */
export class LazyValue<T> {
  readonly #read: () => Promise<T>
  #value: T | undefined
  #reading: Promise<T> | undefined

  constructor(read: () => Promise<T>) {
    this.#read = read
  }

  /** The kept value, else the one a (shared) read brings back. */
  get(): Promise<T> {
    if (this.#value !== undefined) return Promise.resolve(this.#value)
    this.#reading ??= this.#read().then(
      (value) => {
        this.#reading = undefined
        this.#value ??= value
        return this.#value
      },
      (err) => {
        this.#reading = undefined
        throw err
      },
    )
    return this.#reading
  }

  /** The kept value, if any, without reading. */
  peek(): T | undefined {
    return this.#value
  }

  /** Keeps `value` (newer than any read in flight). */
  set(value: T): void {
    this.#value = value
  }
}
