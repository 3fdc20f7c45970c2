import { describe, expect, it } from 'vitest'
import { ChariotsError } from '../errors/chariots-error.js'
import { BaseOp } from '../ops/base-op.js'
import { Node } from '../pipeline/node.js'
import { Pipeline } from '../pipeline/pipeline.js'
import { ReservedNodes } from '../pipeline/reserved-nodes.js'
import { ConcurrentRunner } from './concurrent-runner.js'
import { SequentialRunner } from './sequential-runner.js'

const IN = ReservedNodes.pipelineInput
const OUT = ReservedNodes.pipelineOutput

class AddOneOp extends BaseOp {
  static override opName = 'addone'
  execute(x: number) {
    return x + 1
  }
}

class TimesTwoOp extends BaseOp {
  static override opName = 'timestwo'
  execute(x: number) {
    return x * 2
  }
}

class SubtractOp extends BaseOp {
  static override opName = 'subtract'
  execute(a: number, b: number) {
    return a - b
  }
}

/** Splits x into [x, 10x]. */
class FanOutOp extends BaseOp {
  static override opName = 'fanout'
  execute(x: number) {
    return [x, x * 10]
  }
}

class PairOp extends BaseOp {
  static override opName = 'pair'
  execute(a: unknown, b: unknown) {
    return [a, b]
  }
}

/** Returns whatever it was built with, whatever its input. */
class ConstantOp extends BaseOp {
  static override opName = 'constant'
  constructor(readonly value: unknown) {
    super()
  }
  execute() {
    return this.value
  }
}

class DescribeOp extends BaseOp {
  static override opName = 'describe'
  execute(x: unknown) {
    return { isArray: Array.isArray(x), value: x }
  }
}

/** Adds one after a real turn of the event loop. */
class SlowAddOneOp extends BaseOp {
  static override opName = 'slowaddone'
  async execute(x: number) {
    await new Promise((resolve) => setImmediate(resolve))
    return x + 1
  }
}

class ThrowingOp extends BaseOp {
  static override opName = 'throwing'
  constructor(
    readonly error: Error,
    readonly async = false,
  ) {
    super()
  }
  execute(): unknown {
    if (this.async) return Promise.reject(this.error)
    throw this.error
  }
}

class RecordingOp extends BaseOp {
  static override opName = 'recording'
  calls: unknown[][] = []
  execute(...args: unknown[]) {
    this.calls.push(args)
    return args[0]
  }
}

function chain(): Pipeline {
  return new Pipeline(
    [
      new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: 'added' }),
      new Node(new TimesTwoOp(), { inputNodes: ['added'], outputNodes: OUT }),
    ],
    'chain',
  )
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (e) {
    return e
  }
  throw new Error('expected the run to reject, and it resolved')
}

const runners = [
  { name: 'SequentialRunner', Runner: SequentialRunner },
  { name: 'ConcurrentRunner', Runner: ConcurrentRunner },
] as const

describe.each(runners)('$name', ({ Runner }) => {
  const runner = new Runner()

  it('runs a chain, feeding each output to the next node', async () => {
    expect(await runner.run(chain(), 3)).toBe(8)
    expect(await runner.run(chain(), -1)).toBe(0)
  })

  it('accepts node objects as inputs', async () => {
    const add = new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: 'added' })
    const twice = new Node(new TimesTwoOp(), { inputNodes: [add], outputNodes: 'doubled' })
    const sub = new Node(new SubtractOp(), { inputNodes: [twice, add], outputNodes: OUT })
    expect(sub.inputNodes).toEqual(['doubled', 'added'])
    // (3 + 1) * 2 - (3 + 1)
    expect(await runner.run(new Pipeline([add, twice, sub], 'objects'), 3)).toBe(4)
  })

  it('runs a nested pipeline as a node, with the same runner', async () => {
    const seen: string[] = []
    class SpyRunner extends Runner {
      run(pipeline: Pipeline, input?: unknown) {
        seen.push(pipeline.name)
        return super.run(pipeline, input)
      }
    }
    const outer = new Pipeline(
      [
        new Node(chain(), { inputNodes: [IN], outputNodes: 'inner_out' }),
        new Node(new AddOneOp(), { inputNodes: ['inner_out'], outputNodes: OUT }),
      ],
      'outer',
    )
    expect(outer.nodes[0]!.name).toBe('chain')
    expect(await new SpyRunner().run(outer, 3)).toBe(9)
    expect(seen).toEqual(['outer', 'chain'])
  })

  it('passes a nested pipeline with two inputs the array of them', async () => {
    const inner = new Pipeline([new Node(new DescribeOp(), { inputNodes: [IN], outputNodes: OUT })], 'inner')
    const outer = new Pipeline(
      [
        new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: 'a' }),
        new Node(inner, { inputNodes: ['a', IN], outputNodes: OUT }),
      ],
      'outer2',
    )
    expect(await runner.run(outer, 1)).toEqual({ isArray: true, value: [2, 1] })
  })

  it('passes two inputs as positional arguments in the order of inputNodes', async () => {
    const make = (order: string[]) =>
      new Pipeline(
        [
          new Node(new ConstantOp(10), { inputNodes: [IN], outputNodes: 'ten', name: 'ten' }),
          new Node(new ConstantOp(3), { inputNodes: [IN], outputNodes: 'three', name: 'three' }),
          new Node(new SubtractOp(), { inputNodes: order, outputNodes: OUT }),
        ],
        'two_inputs',
      )
    expect(await runner.run(make(['ten', 'three']))).toBe(7)
    expect(await runner.run(make(['three', 'ten']))).toBe(-7)
    const withInput = new Pipeline(
      [
        new Node(new ConstantOp(3), { inputNodes: [], outputNodes: 'three' }),
        new Node(new SubtractOp(), { inputNodes: [IN, 'three'], outputNodes: OUT }),
      ],
      'input_first',
    )
    expect(await runner.run(withInput, 100)).toBe(97)
  })

  it('splits an array among several outputs that feed two branches joining again', async () => {
    const p = new Pipeline(
      [
        new Node(new FanOutOp(), { inputNodes: [IN], outputNodes: ['left', 'right'] }),
        new Node(new AddOneOp(), { inputNodes: ['left'], outputNodes: 'left_plus' }),
        new Node(new TimesTwoOp(), { inputNodes: ['right'], outputNodes: 'right_twice' }),
        new Node(new PairOp(), { inputNodes: ['left_plus', 'right_twice'], outputNodes: OUT }),
      ],
      'diamond',
    )
    expect(await runner.run(p, 2)).toEqual([3, 40])
    expect(await runner.run(p, 5)).toEqual([6, 100])
  })

  it.each([
    ['a single output name', 'arr'],
    ['a list of one output name', ['arr']],
  ])('gives the whole array result to %s', async (_, outputNodes) => {
    const p = new Pipeline(
      [
        new Node(new ConstantOp([1, 2, 3]), { inputNodes: [IN], outputNodes }),
        new Node(new DescribeOp(), { inputNodes: ['arr'], outputNodes: OUT }),
      ],
      'whole_array',
    )
    expect(await runner.run(p)).toEqual({ isArray: true, value: [1, 2, 3] })
  })

  it.each([
    ['a non-array', 42, 'a number'],
    ['an array too short', [1], 'an array of 1'],
    ['an array too long', [1, 2, 3], 'an array of 3'],
  ])(
    'fails with OUTPUT_MISMATCH naming node, got and expected when a split gets %s',
    async (_, value, got) => {
      const sink = new RecordingOp()
      const p = new Pipeline(
        [
          new Node(new ConstantOp(value), { inputNodes: [IN], outputNodes: ['a', 'b'], name: 'splitter' }),
          new Node(sink, { inputNodes: ['a', 'b'], outputNodes: OUT }),
        ],
        'bad_split',
      )
      const err = await rejection(runner.run(p))
      expect(err).toBeInstanceOf(ChariotsError)
      expect((err as ChariotsError).code).toBe('OUTPUT_MISMATCH')
      const msg = (err as ChariotsError).message
      expect(msg).toContain("node 'splitter'")
      expect(msg).toContain(got)
      expect(msg).toContain('2 outputs')
      expect(sink.calls).toEqual([])
    },
  )

  it('runs async ops, awaiting each result', async () => {
    const p = new Pipeline(
      [
        new Node(new SlowAddOneOp(), { inputNodes: [IN], outputNodes: 'a' }),
        new Node(new SlowAddOneOp(), { inputNodes: ['a'], outputNodes: 'b', name: 'slow2' }),
        new Node(new TimesTwoOp(), { inputNodes: ['b'], outputNodes: 'c' }),
        new Node(new SubtractOp(), { inputNodes: ['c', 'a'], outputNodes: OUT }),
      ],
      'async',
    )
    // ((1 + 2) * 2) - (1 + 1)
    expect(await runner.run(p, 1)).toBe(4)
  })

  it('runs a node with no inputs with no arguments, and returns undefined without a pipeline output', async () => {
    const rec = new RecordingOp()
    const p = new Pipeline([new Node(rec)], 'side_effect')
    expect(await runner.run(p, 'ignored')).toBeUndefined()
    expect(rec.calls).toEqual([[]])
  })

  it.each([
    ['throws', false],
    ['rejects', true],
  ])('rejects the run with the error an op %s, and runs no later node', async (_, async) => {
    const boom = new Error('boom')
    const after = new RecordingOp()
    const p = new Pipeline(
      [
        new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: 'a' }),
        new Node(new ThrowingOp(boom, async), { inputNodes: ['a'], outputNodes: 'b' }),
        new Node(after, { inputNodes: ['b'], outputNodes: OUT }),
      ],
      'failing',
    )
    expect(await rejection(runner.run(p, 1))).toBe(boom)
    expect(after.calls).toEqual([])
  })

  it('runs a pipeline again with fresh values each time', async () => {
    const p = chain()
    const results = await Promise.all([1, 2, 3, 4].map((x) => runner.run(p, x)))
    expect(results).toEqual([4, 6, 8, 10])
  })
})

describe('both runners', () => {
  it('give the same results on the same pipelines', async () => {
    const build = () =>
      new Pipeline(
        [
          new Node(new FanOutOp(), { inputNodes: [IN], outputNodes: ['l', 'r'] }),
          new Node(new SlowAddOneOp(), { inputNodes: ['l'], outputNodes: 'l1' }),
          new Node(chain(), { inputNodes: ['r'], outputNodes: 'r1' }),
          new Node(new SubtractOp(), { inputNodes: ['r1', 'l1'], outputNodes: 'd' }),
          new Node(new PairOp(), { inputNodes: ['d', 'l1'], outputNodes: OUT }),
        ],
        'mixed',
      )
    for (const x of [0, 1, 7, -3]) {
      const seq = await new SequentialRunner().run(build(), x)
      const con = await new ConcurrentRunner().run(build(), x)
      expect(con).toEqual(seq)
      expect(seq).toEqual([(x * 10 + 1) * 2 - (x + 1), x + 1])
    }
  })
})
