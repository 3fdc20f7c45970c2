import type { Progress } from '@chariots/core'

/** Where a {@link StatusLine} writes: a stream with `write`, and `isTTY` when it is a terminal. */
export interface StatusStream {
  write(text: string): unknown
  isTTY?: boolean
}

const BAR_WIDTH = 24

/**
 * Formats a job's state as one short line: its status, then a bar and a percentage when the
 * progress is a number in 0..1, or the progress as compact JSON when it is an object.
 *
 * @example
 * ```ts
 * formatStatus('running', 0.5) // 'running [############------------]  50%'
 * ```
 */
export function formatStatus(status: string, progress: Progress | null | undefined): string {
  if (typeof progress === 'number' && Number.isFinite(progress)) {
    const p = Math.min(1, Math.max(0, progress))
    const filled = Math.round(p * BAR_WIDTH)
    const percent = `${Math.round(p * 100)}%`.padStart(4)
    return `${status} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${percent}`
  }
  if (progress !== null && progress !== undefined) {
    const json = JSON.stringify(progress)
    return `${status} ${json.length > 60 ? `${json.slice(0, 59)}…` : json}`
  }
  return status
}

/**
 * A live status line: on a terminal it redraws one line in place; elsewhere (a pipe, a CI log) it
 * writes a plain line each time the text changes, so logs stay readable.
 *
 * @example
 * ```ts
 * const line = new StatusLine(process.stderr)
 * line.update('job 1a2b running [####----]  50%')
 * line.done()
 * ```
 */
export class StatusLine {
  readonly #stream: StatusStream
  #last: string | undefined

  constructor(stream: StatusStream) {
    this.#stream = stream
  }

  /** Shows `text`, unless it is what the line already shows. */
  update(text: string): void {
    if (text === this.#last) return
    this.#last = text
    // \r goes back to the start of the line and \x1b[2K clears it, so shorter text leaves no tail.
    this.#stream.write(this.#stream.isTTY ? `\r\x1b[2K${text}` : `${text}\n`)
  }

  /** Ends the line (on a terminal the cursor moves to the next line). */
  done(): void {
    if (this.#stream.isTTY && this.#last !== undefined) this.#stream.write('\n')
    this.#last = undefined
  }
}
