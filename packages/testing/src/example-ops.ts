import { BaseOp, LoadableOp, Node, Pipeline, ReservedNodes } from '@chariots/core'

const { pipelineInput: IN, pipelineOutput: OUT } = ReservedNodes

/**
 * Adds one to its input.
 *
 * @example
 * ```ts
 * new AddOneOp().execute(4) // 5
 * ```
 */
export class AddOneOp extends BaseOp {
  static override opName = 'addoneop'
  execute(x: number): number {
    return x + 1
  }
}

/**
 * Whether its input is odd.
 *
 * @example
 * ```ts
 * new IsOddOp().execute(4) // false
 * ```
 */
export class IsOddOp extends BaseOp {
  static override opName = 'isoddop'
  execute(x: number): boolean {
    return x % 2 === 1
  }
}

/**
 * The integers `[0, n)`.
 *
 * @example
 * ```ts
 * new RangeOp().execute(3) // [0, 1, 2]
 * ```
 */
export class RangeOp extends BaseOp {
  static override opName = 'rangeop'
  execute(n: number): number[] {
    return Array.from({ length: n }, (_, i) => i)
  }
}

/**
 * A loadable op counting its calls; its count is saved and loaded with the pipeline.
 *
 * @example
 * ```ts
 * const op = new CounterOp()
 * op.execute(); op.execute() // 2
 * ```
 */
export class CounterOp extends LoadableOp {
  static override opName = 'counterop'
  count = 0
  execute(): number {
    this.count += 1
    this.markStateChanged()
    return this.count
  }
  serialize(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ count: this.count }))
  }
  load(bytes: Uint8Array): void {
    this.count = (JSON.parse(new TextDecoder().decode(bytes)) as { count: number }).count
  }
}

/**
 * Always throws an Error with {@link FailingOp.message} (a server answers 500 with that message).
 *
 * @example
 * ```ts
 * expect(() => new FailingOp().execute()).toThrow(FailingOp.message)
 * ```
 */
export class FailingOp extends BaseOp {
  static override opName = 'failingop'
  /** The message of the error it throws. */
  static readonly message = 'failingop failed on purpose'
  execute(): never {
    throw new Error(FailingOp.message)
  }
}

/**
 * Waits `ms` milliseconds, then answers its input.
 *
 * @example
 * ```ts
 * await new SlowOp(50).execute(4) // 4, after 50 ms
 * ```
 */
export class SlowOp extends BaseOp {
  static override opName = 'slowop'
  constructor(readonly ms = 200) {
    super()
  }
  async execute<T>(x: T): Promise<T> {
    await new Promise((resolve) => setTimeout(resolve, this.ms))
    return x
  }
}

/**
 * Reports progress 0.5, waits `ms` milliseconds, then answers its input.
 *
 * @example
 * ```ts
 * await new ProgressOp(10).execute(4) // 4; a worker job shows progress 0.5 meanwhile
 * ```
 */
export class ProgressOp extends BaseOp {
  static override opName = 'progressop'
  constructor(readonly ms = 50) {
    super()
  }
  async execute<T>(x: T): Promise<T> {
    this.reportProgress(0.5)
    await new Promise((resolve) => setTimeout(resolve, this.ms))
    return x
  }
}

/** A pipeline of one op reading the pipeline input into the pipeline output. */
function single(op: BaseOp, name: string): Pipeline {
  return new Pipeline([new Node(op, { inputNodes: [IN], outputNodes: OUT })], name)
}

/**
 * The `is_odd` pipeline of the Python docs: one `IsOddOp` node (versions `{ isoddop }`).
 *
 * @example
 * ```ts
 * await new SequentialRunner().run(isOddPipeline(), 4) // false
 * ```
 */
export function isOddPipeline(name = 'is_odd'): Pipeline {
  return single(new IsOddOp(), name)
}

/**
 * `AddOneOp` then `IsOddOp`.
 *
 * @example
 * ```ts
 * await new SequentialRunner().run(addOneIsOddPipeline(), 4) // true
 * ```
 */
export function addOneIsOddPipeline(name = 'add_one_is_odd'): Pipeline {
  return new Pipeline(
    [
      new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: 'added' }),
      new Node(new IsOddOp(), { inputNodes: ['added'], outputNodes: OUT }),
    ],
    name,
  )
}

/**
 * A `CounterOp` with no input: each call answers the count so far.
 *
 * @example
 * ```ts
 * await new SequentialRunner().run(counterPipeline(), undefined) // 1
 * ```
 */
export function counterPipeline(name = 'counter'): Pipeline {
  return new Pipeline([new Node(new CounterOp(), { outputNodes: OUT })], name)
}

/**
 * A `RangeOp` from the pipeline input: `n` → `[0, n)`.
 *
 * @example
 * ```ts
 * await new SequentialRunner().run(rangePipeline(), 3) // [0, 1, 2]
 * ```
 */
export function rangePipeline(name = 'range'): Pipeline {
  return single(new RangeOp(), name)
}

/**
 * A `FailingOp`: every run throws `FailingOp.message`.
 *
 * @example
 * ```ts
 * await expect(new SequentialRunner().run(failingPipeline())).rejects.toThrow(FailingOp.message)
 * ```
 */
export function failingPipeline(name = 'failing'): Pipeline {
  return single(new FailingOp(), name)
}

/**
 * A `SlowOp` of `ms` milliseconds answering its input.
 *
 * @example
 * ```ts
 * await new SequentialRunner().run(slowPipeline(50), 4) // 4, after 50 ms
 * ```
 */
export function slowPipeline(ms = 200, name = 'slow'): Pipeline {
  return single(new SlowOp(ms), name)
}

/**
 * A `ProgressOp` reporting 0.5, then answering its input after `ms` milliseconds.
 *
 * @example
 * ```ts
 * await new SequentialRunner().run(progressPipeline(10), 4) // 4
 * ```
 */
export function progressPipeline(ms = 50, name = 'progress'): Pipeline {
  return single(new ProgressOp(ms), name)
}
