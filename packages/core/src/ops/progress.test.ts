import { describe, expect, it } from 'vitest'
import { Node } from '../pipeline/node.js'
import { Pipeline } from '../pipeline/pipeline.js'
import { ReservedNodes } from '../pipeline/reserved-nodes.js'
import { ConcurrentRunner } from '../runners/concurrent-runner.js'
import { SequentialRunner } from '../runners/sequential-runner.js'
import { BaseOp } from './base-op.js'
import { type Progress, reportProgress, withProgressReporter } from './progress.js'

/** Reports 0, 0.5 and 1, with real turns of the event loop in between. */
class TrainingOp extends BaseOp {
  async execute(x: number) {
    this.reportProgress(0)
    await new Promise((r) => setImmediate(r))
    this.reportProgress({ epoch: 1, of: 2 })
    await new Promise((r) => setTimeout(r, 1))
    this.reportProgress(1)
    return x * 2
  }
}

const pipeline = () =>
  new Pipeline(
    [
      new Node(new TrainingOp(), {
        inputNodes: [ReservedNodes.pipelineInput],
        outputNodes: ReservedNodes.pipelineOutput,
      }),
    ],
    'train',
  )

describe('reportProgress', () => {
  it('is a no-op outside a worker: the op runs and nothing is reported', async () => {
    const elsewhere: Progress[] = []
    // A reporter active in another async context must not receive this run's reports.
    let release!: () => void
    const other = withProgressReporter(
      (p) => elsewhere.push(p),
      () =>
        new Promise<void>((r) => {
          release = r
        }),
    )
    expect(await new SequentialRunner().run(pipeline(), 2)).toBe(4)
    expect(() => reportProgress(0.3)).not.toThrow()
    release()
    await other
    expect(elsewhere).toEqual([])
  })

  it.each([
    ['SequentialRunner', SequentialRunner],
    ['ConcurrentRunner', ConcurrentRunner],
  ])('reaches the reporter of withProgressReporter, also across awaits (%s)', async (_, Runner) => {
    const seen: Progress[] = []
    const out = await withProgressReporter(
      (p) => seen.push(p),
      () => new Runner().run(pipeline(), 5),
    )
    expect(out).toBe(10)
    expect(seen).toEqual([0, { epoch: 1, of: 2 }, 1])
  })

  it('keeps two concurrent runs apart, each reaching its own reporter', async () => {
    const a: Progress[] = []
    const b: Progress[] = []
    await Promise.all([
      withProgressReporter(
        (p) => a.push(p),
        () => new ConcurrentRunner().run(pipeline(), 1),
      ),
      withProgressReporter(
        (p) => b.push(p),
        () => new ConcurrentRunner().run(pipeline(), 2),
      ),
    ])
    expect(a).toEqual([0, { epoch: 1, of: 2 }, 1])
    expect(b).toEqual([0, { epoch: 1, of: 2 }, 1])
  })
})
