import { describe, expect, it } from 'vitest'
import { BaseOp } from '../ops/base-op.js'
import { Node } from '../pipeline/node.js'
import { Pipeline } from '../pipeline/pipeline.js'
import { ReservedNodes } from '../pipeline/reserved-nodes.js'
import { ConcurrentRunner } from './concurrent-runner.js'
import { SequentialRunner } from './sequential-runner.js'

const IN = ReservedNodes.pipelineInput
const OUT = ReservedNodes.pipelineOutput

/** Two "started" signals: each branch resolves its own, then waits for the other's. */
function rendezvous() {
  const signal = () => {
    let resolve!: () => void
    const promise = new Promise<void>((r) => {
      resolve = r
    })
    return { promise, resolve }
  }
  return { a: signal(), b: signal() }
}
type Rendezvous = ReturnType<typeof rendezvous>

/** Finishes only once the other branch has started too: it needs both to run at the same time. */
class WaitForOtherOp extends BaseOp {
  constructor(
    readonly rv: Rendezvous,
    readonly me: 'a' | 'b',
  ) {
    super()
  }
  async execute(x: number) {
    this.rv[this.me].resolve()
    await this.rv[this.me === 'a' ? 'b' : 'a'].promise
    return `${this.me}${x}`
  }
}

class JoinOp extends BaseOp {
  execute(a: string, b: string) {
    return `${a}+${b}`
  }
}

function overlapping(rv: Rendezvous): Pipeline {
  return new Pipeline(
    [
      new Node(new WaitForOtherOp(rv, 'a'), { inputNodes: [IN], outputNodes: 'a', name: 'a' }),
      new Node(new WaitForOtherOp(rv, 'b'), { inputNodes: [IN], outputNodes: 'b', name: 'b' }),
      new Node(new JoinOp(), { inputNodes: ['a', 'b'], outputNodes: OUT }),
    ],
    'overlap',
  )
}

/** Resolves after a few turns of the event loop: enough for every ready promise to settle. */
async function afterTicks(n = 10): Promise<'not finished'> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r))
  return 'not finished'
}

describe('running independent async branches', () => {
  it('ConcurrentRunner overlaps them: each branch sees the other start', async () => {
    const rv = rendezvous()
    const result = await Promise.race([new ConcurrentRunner().run(overlapping(rv), 1), afterTicks()])
    expect(result).toBe('a1+b1')
  })

  it('SequentialRunner does not: the first branch waits for a second that never starts', async () => {
    const rv = rendezvous()
    let bStarted = false
    void rv.b.promise.then(() => {
      bStarted = true
    })
    const run = new SequentialRunner().run(overlapping(rv), 1)
    expect(await Promise.race([run, afterTicks()])).toBe('not finished')
    expect(bStarted).toBe(false)
    // Let branch a go on; the run then ends with the same result as the concurrent one.
    rv.b.resolve()
    expect(await run).toBe('a1+b1')
  })
})
