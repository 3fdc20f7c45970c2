import { describe, expect, it } from 'vitest'
import { BaseOp } from '../ops/base-op.js'
import { Node } from '../pipeline/node.js'
import { Pipeline } from '../pipeline/pipeline.js'
import { ReservedNodes } from '../pipeline/reserved-nodes.js'
import { ConcurrentRunner } from '../runners/concurrent-runner.js'
import { SequentialRunner } from '../runners/sequential-runner.js'
import { OpCallback } from './op-callback.js'
import { PipelineCallback } from './pipeline-callback.js'

const IN = ReservedNodes.pipelineInput
const OUT = ReservedNodes.pipelineOutput

type Log = string[]

class LoggingPipelineCallback extends PipelineCallback {
  constructor(
    readonly log: Log,
    readonly label: string,
  ) {
    super()
  }
  override beforeExecution(p: Pipeline, args: unknown[]) {
    this.log.push(`${this.label}.before(${p.name}, ${JSON.stringify(args)})`)
  }
  override beforeNodeExecution(p: Pipeline, node: Node, args: unknown[]) {
    this.log.push(`${this.label}.beforeNode(${p.name}, ${node.name}, ${JSON.stringify(args)})`)
  }
  override afterNodeExecution(p: Pipeline, node: Node, args: unknown[], output: unknown) {
    this.log.push(
      `${this.label}.afterNode(${p.name}, ${node.name}, ${JSON.stringify(args)}, ${JSON.stringify(output)})`,
    )
  }
  override async afterExecution(p: Pipeline, args: unknown[], output: unknown) {
    await Promise.resolve()
    this.log.push(`${this.label}.after(${p.name}, ${JSON.stringify(args)}, ${JSON.stringify(output)})`)
  }
}

class LoggingOpCallback extends OpCallback {
  constructor(readonly log: Log) {
    super()
  }
  override async beforeExecution(op: BaseOp, args: unknown[]) {
    await Promise.resolve()
    this.log.push(`opcb.before(${op.name}, ${JSON.stringify(args)})`)
  }
  override afterExecution(op: BaseOp, args: unknown[], output: unknown) {
    this.log.push(`opcb.after(${op.name}, ${JSON.stringify(args)}, ${JSON.stringify(output)})`)
  }
}

/** Adds `n`, logging its own hooks and its execution. */
class HookedAddOp extends BaseOp {
  static override opName = 'hookedadd'
  constructor(
    readonly log: Log,
    readonly n: number,
  ) {
    super({ callbacks: [new LoggingOpCallback(log)] })
  }
  override beforeExecution(args: unknown[]) {
    this.log.push(`op.beforeExecution(${JSON.stringify(args)})`)
  }
  execute(x: number) {
    this.log.push(`op.execute(${x})`)
    return x + this.n
  }
  override async afterExecution(args: unknown[], output: unknown) {
    await Promise.resolve()
    this.log.push(`op.afterExecution(${JSON.stringify(args)}, ${JSON.stringify(output)})`)
  }
}

function build(log: Log): Pipeline {
  return new Pipeline(
    [
      new Node(new HookedAddOp(log, 1), { inputNodes: [IN], outputNodes: 'plus_one', name: 'first' }),
      new Node(new HookedAddOp(log, 10), { inputNodes: ['plus_one'], outputNodes: OUT, name: 'second' }),
    ],
    'logged',
    { callbacks: [new LoggingPipelineCallback(log, 'pipe')] },
  )
}

const nodeEvents = (name: string, args: unknown[], out: number, pipelineLabels: string[]) => [
  ...pipelineLabels.map((l) => `${l}.beforeNode(logged, ${name}, ${JSON.stringify(args)})`),
  `opcb.before(hookedadd, ${JSON.stringify(args)})`,
  `op.beforeExecution(${JSON.stringify(args)})`,
  `op.execute(${args[0]})`,
  `op.afterExecution(${JSON.stringify(args)}, ${out})`,
  `opcb.after(hookedadd, ${JSON.stringify(args)}, ${out})`,
  ...pipelineLabels.map((l) => `${l}.afterNode(logged, ${name}, ${JSON.stringify(args)}, ${out})`),
]

describe.each([
  { name: 'SequentialRunner', Runner: SequentialRunner },
  { name: 'ConcurrentRunner', Runner: ConcurrentRunner },
])('callbacks with $name', ({ Runner }) => {
  it('run in order: pipeline, then per node pipeline, op callbacks, op hooks around execute', async () => {
    const log: Log = []
    expect(await new Runner().run(build(log), 5)).toBe(16)
    expect(log).toEqual([
      'pipe.before(logged, [5])',
      ...nodeEvents('first', [5], 6, ['pipe']),
      ...nodeEvents('second', [6], 16, ['pipe']),
      'pipe.after(logged, [5], 16)',
    ])
  })

  it("runs the run's extra callbacks after the pipeline's own, at every hook", async () => {
    const log: Log = []
    const output = await new Runner().run(build(log), 0, {
      callbacks: [new LoggingPipelineCallback(log, 'extra')],
    })
    expect(output).toBe(11)
    expect(log).toEqual([
      'pipe.before(logged, [0])',
      'extra.before(logged, [0])',
      ...nodeEvents('first', [0], 1, ['pipe', 'extra']),
      ...nodeEvents('second', [1], 11, ['pipe', 'extra']),
      'pipe.after(logged, [0], 11)',
      'extra.after(logged, [0], 11)',
    ])
  })

  it('calls op hooks and op callbacks also when the pipeline has no callbacks', async () => {
    const log: Log = []
    const p = new Pipeline(
      [new Node(new HookedAddOp(log, 2), { inputNodes: [IN], outputNodes: OUT })],
      'bare',
    )
    expect(await new Runner().run(p, 1)).toBe(3)
    expect(log).toEqual([
      'opcb.before(hookedadd, [1])',
      'op.beforeExecution([1])',
      'op.execute(1)',
      'op.afterExecution([1], 3)',
      'opcb.after(hookedadd, [1], 3)',
    ])
  })

  it('gives the hooks the node objects and the whole multi-output result', async () => {
    const seen: { node: Node; args: unknown[]; output: unknown }[] = []
    class Capture extends PipelineCallback {
      override afterNodeExecution(_p: Pipeline, node: Node, args: unknown[], output: unknown) {
        seen.push({ node, args, output })
      }
    }
    class SplitOp extends BaseOp {
      execute(x: number) {
        return [x, -x]
      }
    }
    class SumOp extends BaseOp {
      execute(a: number, b: number) {
        return a + b
      }
    }
    const split = new Node(new SplitOp(), { inputNodes: [IN], outputNodes: ['pos', 'neg'] })
    const sum = new Node(new SumOp(), { inputNodes: ['neg', 'pos'], outputNodes: OUT })
    const p = new Pipeline([split, sum], 'split_sum', { callbacks: [new Capture()] })
    expect(await new Runner().run(p, 4)).toBe(0)
    expect(seen).toEqual([
      { node: split, args: [4], output: [4, -4] },
      { node: sum, args: [-4, 4], output: 0 },
    ])
    expect(seen[0]!.node).toBe(split)
  })

  it("passes the pipeline hooks the original's arguments: (pipeline, [input]) and (pipeline, [input], output)", async () => {
    const calls: { hook: string; pipeline: string; args: unknown[]; output?: unknown }[] = []
    // Written as a port of a Python callback would be: args[0] is the pipeline input.
    class PortedCallback extends PipelineCallback {
      override beforeExecution(pipeline: Pipeline, args: unknown[]) {
        calls.push({ hook: 'before', pipeline: pipeline.name, args })
      }
      override afterExecution(pipeline: Pipeline, args: unknown[], output: unknown) {
        calls.push({ hook: 'after', pipeline: pipeline.name, args, output })
      }
    }
    class ConstOp extends BaseOp {
      execute() {
        return 'const'
      }
    }
    const withInput = new Pipeline(
      [new Node(new HookedAddOp([], 1), { inputNodes: [IN], outputNodes: OUT })],
      'p1',
      {
        callbacks: [new PortedCallback()],
      },
    )
    const noInput = new Pipeline([new Node(new ConstOp(), { outputNodes: OUT })], 'p2', {
      callbacks: [new PortedCallback()],
    })
    expect(await new Runner().run(withInput, 41)).toBe(42)
    expect(await new Runner().run(noInput)).toBe('const')
    expect(calls).toEqual([
      { hook: 'before', pipeline: 'p1', args: [41] },
      { hook: 'after', pipeline: 'p1', args: [41], output: 42 },
      { hook: 'before', pipeline: 'p2', args: [undefined] },
      { hook: 'after', pipeline: 'p2', args: [undefined], output: 'const' },
    ])
    expect(calls[2]!.args).toHaveLength(1)
  })

  it('stops at a failing op: no after hooks for it, no later node, no pipeline after', async () => {
    const log: Log = []
    class FailingOp extends HookedAddOp {
      override execute(x: number): number {
        this.log.push(`op.execute(${x})`)
        throw new Error('nope')
      }
    }
    const p = new Pipeline(
      [
        new Node(new FailingOp(log, 1), { inputNodes: [IN], outputNodes: 'x' }),
        new Node(new HookedAddOp(log, 1), { inputNodes: ['x'], outputNodes: OUT }),
      ],
      'logged',
      { callbacks: [new LoggingPipelineCallback(log, 'pipe')] },
    )
    await expect(new Runner().run(p, 1)).rejects.toThrow('nope')
    expect(log).toEqual([
      'pipe.before(logged, [1])',
      'pipe.beforeNode(logged, failingop, [1])',
      'opcb.before(failingop, [1])',
      'op.beforeExecution([1])',
      'op.execute(1)',
    ])
  })
})
