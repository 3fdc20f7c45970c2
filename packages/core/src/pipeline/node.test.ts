import { describe, expect, it } from 'vitest'
import { ChariotsError } from '../errors/chariots-error.js'
import { BaseOp } from '../ops/base-op.js'
import { Node, type NodeOptions } from './node.js'
import { Pipeline } from './pipeline.js'
import { ReservedNodes } from './reserved-nodes.js'

class EchoOp extends BaseOp {
  static override opName = 'echo'
  execute(x: unknown) {
    return x
  }
}

/** The TypeError `fn` throws (fails the test when it throws nothing or something else). */
function typeError(fn: () => unknown): TypeError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(TypeError)
    return e as TypeError
  }
  throw new Error('expected a TypeError, and nothing was thrown')
}

describe('Node', () => {
  it('is named after its op, its nested pipeline, or the name it is given', () => {
    expect(new Node(new EchoOp()).name).toBe('echo')
    const inner = new Pipeline([], 'inner')
    expect(new Node(inner).name).toBe('inner')
    expect(new Node(new EchoOp(), { name: 'custom' }).name).toBe('custom')
  })

  it('reads one output name or a list of them', () => {
    expect(new Node(new EchoOp(), { outputNodes: 'x' }).outputNodes).toEqual(['x'])
    expect(new Node(new EchoOp(), { outputNodes: ['x', 'y'] }).outputNodes).toEqual(['x', 'y'])
  })

  it('gives a node with no outputNodes one output named after the node, as the original does', () => {
    const plain = new Node(new EchoOp())
    expect(plain.outputNodes).toEqual(['echo'])
    expect(plain.hasImplicitOutput).toBe(true)
    expect(new Node(new EchoOp(), { outputNodes: [], name: 'named' }).outputNodes).toEqual(['named'])
    const declared = new Node(new EchoOp(), { outputNodes: 'x' })
    expect(declared.hasImplicitOutput).toBe(false)
  })

  it('takes a node object with no outputNodes as the name of its own-name output', () => {
    const src = new Node(new EchoOp(), { inputNodes: [ReservedNodes.pipelineInput], name: 'source' })
    expect(new Node(new EchoOp(), { inputNodes: [src] }).inputNodes).toEqual(['source'])
  })

  it('takes a node object with a single output as the name of that output', () => {
    const src = new Node(new EchoOp(), { inputNodes: [ReservedNodes.pipelineInput], outputNodes: ['only'] })
    expect(new Node(new EchoOp(), { inputNodes: [src, 'other'], name: 'n' }).inputNodes).toEqual([
      'only',
      'other',
    ])
  })

  it('refuses a node object with several outputs as an input, naming both nodes', () => {
    const split = new Node(new EchoOp(), { outputNodes: ['a', 'b'], name: 'split' })
    let err: unknown
    try {
      new Node(new EchoOp(), { inputNodes: [split], name: 'reader' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ChariotsError)
    expect((err as ChariotsError).code).toBe('INVALID_GRAPH')
    expect((err as ChariotsError).message).toContain("node 'reader'")
    expect((err as ChariotsError).message).toContain("'split'")
    expect((err as ChariotsError).message).toContain('which has 2 outputs')
  })

  it('refuses Python-style positional arguments with a TypeError showing the options form', () => {
    const positional = Node as unknown as new (...args: unknown[]) => Node
    const error = typeError(
      () => new positional(new EchoOp(), [ReservedNodes.pipelineInput], '__pipeline_output__'),
    )
    expect(error.message).toBe(
      "new Node takes its inputs and outputs in one options object, not as positional arguments: write new Node(op, { inputNodes: ['__pipeline_input__'], outputNodes: '__pipeline_output__' })",
    )
    expect((error as TypeError & { code?: string }).code).toBe('INVALID_GRAPH')
    expect(typeError(() => new positional(new EchoOp(), ['a'], ['b', 'c'], 'split')).message).toContain(
      "write new Node(op, { inputNodes: ['a'], outputNodes: ['b', 'c'], name: 'split' })",
    )
    expect(typeError(() => new positional(new EchoOp(), 'a')).message).toContain(
      "write new Node(op, { inputNodes: ['a'] })",
    )
    expect(typeError(() => new positional(new Pipeline([], 'inner'), undefined, 'out')).message).toContain(
      "write new Node(pipeline, { outputNodes: 'out' })",
    )
  })

  it("refuses unknown option names (Python's input_nodes) with a TypeError showing the options form", () => {
    const options = { input_nodes: ['__pipeline_input__'], output_nodes: 'x' } as unknown as NodeOptions
    expect(typeError(() => new Node(new EchoOp(), options)).message).toBe(
      "new Node got unknown options 'input_nodes', 'output_nodes'; the options are inputNodes, outputNodes, name: write new Node(op, { inputNodes: ['__pipeline_input__'], outputNodes: 'x' })",
    )
  })

  it.each([
    ['a space', 'my node'],
    ['a slash', 'a/b'],
    ['a backslash', 'a\\b'],
    ['a control character', 'a\nb'],
    ['nothing', ''],
    ['201 characters', 'x'.repeat(201)],
    ['.', '.'],
    ['..', '..'],
    ['the pipeline input', ReservedNodes.pipelineInput],
    ['the pipeline output', ReservedNodes.pipelineOutput],
  ])('refuses a name with %s (INVALID_GRAPH naming it)', (_, name) => {
    let err: unknown
    try {
      new Node(new EchoOp(), { name })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ChariotsError)
    expect((err as ChariotsError).code).toBe('INVALID_GRAPH')
    expect((err as ChariotsError).message).toContain(`node name '${name.slice(0, 100)}'`)
  })

  it('refuses an op whose own name is invalid, unless the node is given a valid one', () => {
    class BadOp extends BaseOp {
      static override opName = 'has space'
      execute() {}
    }
    expect(() => new Node(new BadOp())).toThrow(expect.objectContaining({ code: 'INVALID_GRAPH' }))
    expect(new Node(new BadOp(), { name: 'fine' }).name).toBe('fine')
  })
})
