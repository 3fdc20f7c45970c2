import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/fixtures/temp-dir.js'
import { PipelineCallback } from '../callbacks/pipeline-callback.js'
import { BaseOp } from '../ops/base-op.js'
import { Node } from '../pipeline/node.js'
import { Pipeline } from '../pipeline/pipeline.js'
import { ReservedNodes } from '../pipeline/reserved-nodes.js'
import { PipelineHost } from './pipeline-host.js'

const tempDir = useTempDirs('chariots-batch-')
const { pipelineInput: IN, pipelineOutput: OUT } = ReservedNodes

/** Adds one to each row; refuses the row 13. Row-wise: batches may merge its calls. */
class AddOneRowsOp extends BaseOp {
  static override opName = 'add_one_rows'
  static override rowWise = true
  async execute(rows: number[]) {
    await new Promise((r) => setImmediate(r)) // an await, like a real model
    if (rows.includes(13)) throw new Error('13 is unlucky')
    return rows.map((x) => x + 1)
  }
}

class NotRowWiseOp extends AddOneRowsOp {
  static override opName = 'not_row_wise'
  static override rowWise = false
}

class CountRuns extends PipelineCallback {
  runs = 0
  rowsPerRun: number[] = []
  override beforeExecution(_p: Pipeline, args: unknown[]) {
    this.runs++
    this.rowsPerRun.push((args[0] as unknown[]).length)
  }
}

const batched = (op: BaseOp, counter: CountRuns, maxSize = 256) =>
  new Pipeline([new Node(op, { inputNodes: [IN], outputNodes: OUT })], 'rows', {
    batch: { maxSize },
    callbacks: [counter],
  })

describe('micro-batching', () => {
  it('gives each of 64 concurrent callers its own rows back, with the same versions, in far fewer runs', async () => {
    const counter = new CountRuns()
    const host = new PipelineHost([batched(new AddOneRowsOp(), counter)], { path: await tempDir() })
    const inputs = Array.from({ length: 64 }, (_, i) =>
      Array.from({ length: 1 + (i % 3) }, (_, j) => i * 10 + j),
    )
    const results = await Promise.all(inputs.map((rows) => host.run('rows', rows)))
    for (const [i, r] of results.entries()) expect(r.value).toEqual(inputs[i]!.map((x) => x + 1))
    expect(new Set(results.map((r) => JSON.stringify(r.versions))).size).toBe(1)
    expect(counter.runs).toBeLessThan(64)
    expect(counter.rowsPerRun.reduce((a, b) => a + b, 0)).toBe(inputs.flat().length)
  })

  it('lets an error reach only the call whose rows caused it', async () => {
    const counter = new CountRuns()
    const host = new PipelineHost([batched(new AddOneRowsOp(), counter)], { path: await tempDir() })
    const inputs = [[1], [2, 3], [13], [4], [5, 6]]
    const results = await Promise.allSettled(inputs.map((rows) => host.run('rows', rows)))
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ])
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({
      code: 'OP_FAILED',
      message: '13 is unlucky',
    })
    expect((results[1] as PromiseFulfilledResult<{ value: unknown }>).value.value).toEqual([3, 4])
  })

  it('never merges more rows than maxSize, and runs ops that are not row-wise call by call', async () => {
    const counter = new CountRuns()
    const host = new PipelineHost([batched(new AddOneRowsOp(), counter, 4)], { path: await tempDir() })
    await Promise.all(Array.from({ length: 10 }, (_, i) => host.run('rows', [i, i])))
    expect(Math.max(...counter.rowsPerRun)).toBeLessThanOrEqual(4)

    const plain = new CountRuns()
    const unbatched = new PipelineHost([batched(new NotRowWiseOp(), plain)], { path: await tempDir() })
    await Promise.all(Array.from({ length: 10 }, (_, i) => unbatched.run('rows', [i])))
    expect(plain.runs).toBe(10)
  })

  it('checks each call on its own against the pipeline schema', async () => {
    const { z } = await import('zod')
    const counter = new CountRuns()
    const pipeline = new Pipeline(
      [new Node(new AddOneRowsOp(), { inputNodes: [IN], outputNodes: OUT })],
      'rows',
      { batch: {}, callbacks: [counter], input: z.array(z.number()) },
    )
    const host = new PipelineHost([pipeline], { path: await tempDir() })
    const results = await Promise.allSettled([
      host.run('rows', [1]),
      host.run('rows', ['x']),
      host.run('rows', [2]),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'INVALID_INPUT' })
  })
})
