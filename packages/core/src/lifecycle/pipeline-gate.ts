import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'

interface Waiter {
  exclusive: boolean
  start(): void
}

/**
 * A readers-writer lock for one pipeline: prediction runs share it; trainings, saves and the swap
 * of a load take it alone. Writers go first once they wait, so a stream of calls cannot starve a
 * load; a waiting writer may give up after a timeout instead of hanging behind a stuck holder.
 *
 * @example
 * ```ts
 * const gate = new PipelineGate('pred_iris')
 * await gate.shared(() => runner.run(pipeline, input))
 * await gate.exclusive(() => swap(), { timeoutMs: 10_000, what: 'load' })
 * ```
 */
export class PipelineGate {
  private readers = 0
  private writer = false
  private readonly queue: Waiter[] = []
  /** What holds the gate alone right now (for timeout messages). */
  private holder: string | null = null

  constructor(readonly name: string) {}

  /** Runs `fn` alongside other shared holders. */
  shared<T>(fn: () => Promise<T> | T): Promise<T> {
    if (!this.writer && this.queue.length === 0) return this.runShared(fn)
    return this.wait(false, undefined, 'a call').then(() => this.runShared(fn, true))
  }

  /** Runs `fn` alone; with `timeoutMs`, fails with `TIMEOUT` when the gate is not free by then. */
  async exclusive<T>(
    fn: () => Promise<T> | T,
    options: { timeoutMs?: number; what?: string } = {},
  ): Promise<T> {
    const what = options.what ?? 'an exclusive step'
    if (this.writer || this.readers > 0 || this.queue.length > 0) {
      await this.wait(true, options.timeoutMs, what)
    } else {
      this.writer = true
    }
    this.holder = what
    try {
      return await fn()
    } finally {
      this.holder = null
      this.writer = false
      this.next()
    }
  }

  private async runShared<T>(fn: () => Promise<T> | T, counted = false): Promise<T> {
    if (!counted) this.readers++
    try {
      return await fn()
    } finally {
      this.readers--
      this.next()
    }
  }

  private wait(exclusive: boolean, timeoutMs: number | undefined, what: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      const waiter: Waiter = {
        exclusive,
        start: () => {
          if (timer) clearTimeout(timer)
          resolve()
        },
      }
      this.queue.push(waiter)
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          const at = this.queue.indexOf(waiter)
          if (at < 0) return
          this.queue.splice(at, 1)
          this.next()
          reject(
            new ChariotsError(
              ErrorCode.TIMEOUT,
              `pipeline '${this.name}' stayed busy for ${timeoutMs} ms (${this.holder ?? `${this.readers} running call(s)`}), so ${what} could not start; try again when it finishes, or stop the job that holds it`,
              { details: { pipeline: this.name, busyWith: this.holder } },
            ),
          )
        }, timeoutMs)
        timer.unref?.()
      }
    })
  }

  /** Starts the next waiters: one writer, or every reader up to the next writer. */
  private next(): void {
    if (this.writer) return
    while (this.queue.length > 0) {
      const head = this.queue[0]!
      if (head.exclusive) {
        if (this.readers > 0) return
        this.queue.shift()
        this.writer = true
        head.start()
        return
      }
      this.queue.shift()
      this.readers++
      head.start()
    }
  }
}
