import { describe, expect, it } from 'vitest'
import { ChariotsError } from '../errors/chariots-error.js'
import { BaseOp } from '../ops/base-op.js'
import { Node } from './node.js'
import { Pipeline } from './pipeline.js'
import { ReservedNodes } from './reserved-nodes.js'

class EchoOp extends BaseOp {
  static override opName = 'echo'
  execute(x: unknown) {
    return x
  }
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
    expect(new Node(new EchoOp()).outputNodes).toEqual([])
  })

  it('takes a node object with a single output as the name of that output', () => {
    const src = new Node(new EchoOp(), { inputNodes: [ReservedNodes.pipelineInput], outputNodes: ['only'] })
    expect(new Node(new EchoOp(), { inputNodes: [src, 'other'], name: 'n' }).inputNodes).toEqual([
      'only',
      'other',
    ])
  })

  it('refuses a node object with several outputs (or none) as an input, naming both nodes', () => {
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
    expect(() => new Node(new EchoOp(), { inputNodes: [new Node(new EchoOp())], name: 'r2' })).toThrow(
      ChariotsError,
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
