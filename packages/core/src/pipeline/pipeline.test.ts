import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ChariotsError } from '../errors/chariots-error.js'
import { BaseOp } from '../ops/base-op.js'
import { ConcurrentRunner } from '../runners/concurrent-runner.js'
import { SequentialRunner } from '../runners/sequential-runner.js'
import { VersionType } from '../versioning/version-type.js'
import { versioned } from '../versioning/versioned-field.js'
import { Node } from './node.js'
import { Pipeline } from './pipeline.js'
import { ReservedNodes } from './reserved-nodes.js'

const IN = ReservedNodes.pipelineInput
const OUT = ReservedNodes.pipelineOutput

class AddOneOp extends BaseOp {
  static override opName = 'addone'
  static level = versioned(1, VersionType.MAJOR)
  execute(x: number) {
    return x + 1
  }
}

class SumOp extends BaseOp {
  static override opName = 'sum'
  execute(xs: number[]) {
    return xs.reduce((a, b) => a + b, 0)
  }
}

/** The ChariotsError `fn` throws (fails the test when it throws nothing or something else). */
function thrown(fn: () => unknown): ChariotsError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(ChariotsError)
    return e as ChariotsError
  }
  throw new Error('expected an error, and nothing was thrown')
}

describe('building a pipeline checks the graph', () => {
  it('accepts a valid graph and records who reads whom', () => {
    const p = new Pipeline(
      [
        new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: 'a', name: 'one' }),
        new Node(new AddOneOp(), { inputNodes: ['a'], outputNodes: 'b', name: 'two' }),
        new Node(new AddOneOp(), { inputNodes: ['a'], outputNodes: 'c', name: 'three' }),
        new Node(new SumOp(), { inputNodes: ['b', 'c', IN], outputNodes: OUT }),
      ],
      'ok',
    )
    expect(p.dependencies).toEqual([[], [0], [0], [1, 2]])
    expect(p.dependents).toEqual([[1, 2], [3], [3], []])
    expect(p.node('two')?.outputNodes).toEqual(['b'])
  })

  it('refuses an input that no earlier node produces', () => {
    const err = thrown(
      () =>
        new Pipeline(
          [
            new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: 'a' }),
            new Node(new SumOp(), { inputNodes: ['x_raw'], outputNodes: OUT }),
          ],
          'p',
        ),
    )
    expect(err.code).toBe('INVALID_GRAPH')
    expect(err.message).toContain("node 'sum' needs input 'x_raw', which no earlier node produces")
  })

  it('refuses an input produced only by a later node (nodes run in the order given)', () => {
    const err = thrown(
      () =>
        new Pipeline(
          [
            new Node(new SumOp(), { inputNodes: ['a'], outputNodes: OUT }),
            new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: 'a' }),
          ],
          'p',
        ),
    )
    expect(err.code).toBe('INVALID_GRAPH')
    expect(err.message).toContain("node 'sum' needs input 'a'")
  })

  it('refuses a node used twice', () => {
    const node = new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: OUT, name: 'twice' })
    const err = thrown(() => new Pipeline([node, node], 'p'))
    expect(err.code).toBe('INVALID_GRAPH')
    expect(err.message).toContain("node 'twice' is used twice")
  })

  it('refuses two nodes with the same name', () => {
    const err = thrown(
      () =>
        new Pipeline(
          [
            new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: 'a' }),
            new Node(new AddOneOp(), { inputNodes: ['a'], outputNodes: OUT }),
          ],
          'p',
        ),
    )
    expect(err.code).toBe('INVALID_GRAPH')
    expect(err.message).toContain("two nodes are named 'addone'")
  })

  it('refuses an output no later node uses that is not the pipeline output', () => {
    const err = thrown(
      () =>
        new Pipeline(
          [
            new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: ['left', 'right'], name: 'split' }),
            new Node(new AddOneOp(), { inputNodes: ['left'], outputNodes: OUT }),
          ],
          'p',
        ),
    )
    expect(err.code).toBe('INVALID_GRAPH')
    expect(err.message).toContain("node 'split' outputs 'right', which no later node uses")
  })

  it.each([
    ['SequentialRunner', SequentialRunner],
    ['ConcurrentRunner', ConcurrentRunner],
  ])(
    'wires a node object with no outputNodes into a later node through its own-name output (%s)',
    async (_, Runner) => {
      const first = new Node(new AddOneOp(), { inputNodes: [IN], name: 'first' })
      const second = new Node(new AddOneOp(), { inputNodes: [first], outputNodes: OUT, name: 'second' })
      const p = new Pipeline([first, second], 'implicit')
      expect(p.dependencies).toEqual([[], [0]])
      expect(await new Runner().run(p, 1)).toBe(3)
    },
  )

  it('accepts nodes whose own-name output nobody reads (a last training or saving node)', async () => {
    const values: number[] = []
    class RecordOp extends BaseOp {
      static override opName = 'record'
      execute(x: number) {
        values.push(x)
      }
    }
    const p = new Pipeline(
      [
        new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: 'a' }),
        new Node(new RecordOp(), { inputNodes: ['a'] }),
        new Node(new AddOneOp(), { inputNodes: [IN], name: 'unread' }),
      ],
      'sinks',
    )
    expect(await new SequentialRunner().run(p, 4)).toBeUndefined()
    expect(values).toEqual([5])
  })

  it('names the own-name output when it collides with another output', () => {
    const err = thrown(
      () =>
        new Pipeline(
          [
            new Node(new AddOneOp(), { inputNodes: [IN], name: 'x' }),
            new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: 'x', name: 'second' }),
            new Node(new SumOp(), { inputNodes: ['x'], outputNodes: OUT }),
          ],
          'p',
        ),
    )
    expect(err.code).toBe('INVALID_GRAPH')
    expect(err.message).toBe(
      "pipeline 'p': node 'second' outputs 'x', which node 'x' already produces (a node given no outputNodes outputs under its own name: give it outputNodes or another name)",
    )
  })

  it('refuses two nodes producing the same output', () => {
    const err = thrown(
      () =>
        new Pipeline(
          [
            new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: 'x', name: 'first' }),
            new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: 'x', name: 'second' }),
            new Node(new SumOp(), { inputNodes: ['x'], outputNodes: OUT }),
          ],
          'p',
        ),
    )
    expect(err.code).toBe('INVALID_GRAPH')
    expect(err.message).toContain("node 'second' outputs 'x', which node 'first' already produces")
  })

  it('refuses a node that outputs into the pipeline input or reads the pipeline output', () => {
    const intoInput = thrown(
      () => new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: IN, name: 'loop' }),
    )
    expect(intoInput.code).toBe('INVALID_GRAPH')
    expect(intoInput.message).toContain("node 'loop'")
    const fromOutput = thrown(
      () =>
        new Pipeline(
          [
            new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: OUT }),
            new Node(new SumOp(), { inputNodes: [OUT], outputNodes: 'y', name: 'reader' }),
          ],
          'p',
        ),
    )
    expect(fromOutput.code).toBe('INVALID_GRAPH')
    expect(fromOutput.message).toContain("node 'reader'")
  })

  it.each([
    ['a space', 'my pipeline'],
    ['a slash', 'a/b'],
    ['nothing', ''],
    ['a reserved name', OUT],
    ['..', '..'],
  ])('refuses a pipeline name with %s', (_, name) => {
    const err = thrown(() => new Pipeline([], name))
    expect(err.code).toBe('INVALID_GRAPH')
    expect(err.message).toContain('pipeline name')
  })
})

describe('versions', () => {
  it('maps each node name to its op version', () => {
    const p = new Pipeline(
      [
        new Node(new AddOneOp(), { inputNodes: [IN], outputNodes: 'a' }),
        new Node(new SumOp(), { inputNodes: ['a'], outputNodes: OUT, name: 'total' }),
      ],
      'p',
    )
    const versions = p.getPipelineVersions()
    expect([...versions.keys()]).toEqual(['addone', 'total'])
    expect(versions.get('addone')).toBe(AddOneOp.version)
    expect(versions.get('total')).toBe(SumOp.version)
    expect(AddOneOp.version.equals(SumOp.version)).toBe(false)
  })
})

describe.each([
  { name: 'SequentialRunner', Runner: SequentialRunner },
  { name: 'ConcurrentRunner', Runner: ConcurrentRunner },
])('input and output schemas with $name', ({ Runner }) => {
  const runner = new Runner()
  const sum = (options: ConstructorParameters<typeof Pipeline>[2]) =>
    new Pipeline([new Node(new SumOp(), { inputNodes: [IN], outputNodes: OUT })], 'sum', options)

  it('runs on an input that matches', async () => {
    expect(await runner.run(sum({ input: z.array(z.number()) }), [1, 2, 3])).toBe(6)
  })

  it('refuses a bad input with INVALID_INPUT naming the path of the bad field, before any op runs', async () => {
    let ran = false
    class Spy extends BaseOp {
      execute(x: unknown) {
        ran = true
        return x
      }
    }
    const p = new Pipeline([new Node(new Spy(), { inputNodes: [IN], outputNodes: OUT })], 'spy', {
      input: z.object({ features: z.array(z.number()) }),
    })
    const err = await runner.run(p, { features: [1, 'two', 3] }).then(
      () => {
        throw new Error('expected the run to reject')
      },
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ChariotsError)
    expect((err as ChariotsError).code).toBe('INVALID_INPUT')
    expect((err as ChariotsError).message).toContain("pipeline 'spy' input")
    expect((err as ChariotsError).message).toContain('[features][1]')
    expect(ran).toBe(false)
  })

  it('names the index of a bad element of an array input', async () => {
    await expect(runner.run(sum({ input: z.array(z.number()) }), [1, 2, 'x'])).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('[2]'),
    })
  })

  it('gives the ops the parsed input (zod transforms apply)', async () => {
    const p = sum({ input: z.array(z.coerce.number()) })
    expect(await runner.run(p, ['1', '2'])).toBe(3)
  })

  it('refuses an output that does not match with INVALID_OUTPUT', async () => {
    await expect(runner.run(sum({ output: z.string() }), [1])).rejects.toMatchObject({
      code: 'INVALID_OUTPUT',
    })
    expect(await runner.run(sum({ output: z.number().int() }), [1, 2])).toBe(3)
  })
})
