import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BaseOp, Node, Pipeline, PipelineHost, type Progress, ReservedNodes } from '@chariots/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fromFailedReason } from '../job/job-failure.js'
import type { QueuedJob } from '../job/queued-job.js'
import { JobRunnerPool } from './job-runner-pool.js'
import { LocalRunner } from './local-runner.js'

/** Reports its input as progress, then waits for `release()` (or answers at once for 'now'). */
class WaitOp extends BaseOp {
  static override opName = 'waitop'
  private readonly waiting: (() => void)[] = []
  async execute(x: string) {
    this.reportProgress({ got: x })
    if (x !== 'now') await new Promise<void>((resolve) => this.waiting.push(resolve))
    return x
  }
  release(): void {
    this.waiting.shift()?.()
  }
}

/** A job as BullMQ hands it over, recording its progress writes. */
function job(id: string, input: unknown): QueuedJob & { progress: Progress[] } {
  const progress: Progress[] = []
  return {
    id,
    data: { pipelineName: 'wait', input },
    progress,
    updateProgress: async (p: Progress) => void progress.push(p),
  }
}

/** The `{ code, message }` a failed run throws, as BullMQ stores it. */
async function failureOf(promise: Promise<unknown>) {
  const err = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as Error | undefined
  if (!err) throw new Error('expected the run to fail')
  return fromFailedReason(err.message, 1)
}

describe('JobRunnerPool (runners in this process)', () => {
  let dir: string
  let op: WaitOp
  let runners: JobRunnerPool
  const warnings: Error[] = []
  const made: LocalRunner[] = []

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chariots-runners-'))
    op = new WaitOp()
    const { pipelineInput: IN, pipelineOutput: OUT } = ReservedNodes
    const host = new PipelineHost(
      [new Pipeline([new Node(op, { inputNodes: [IN], outputNodes: OUT })], 'wait')],
      {
        path: dir,
      },
    )
    made.length = 0
    runners = new JobRunnerPool(
      1,
      () => {
        const runner = new LocalRunner(host)
        made.push(runner)
        return runner
      },
      (err) => warnings.push(err),
    )
    await runners.start()
  })
  afterEach(async () => {
    await runners.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('runs a job and writes its progress before it answers', async () => {
    const j = job('a', 'now')
    expect(await runners.run(j, 0)).toEqual({ value: 'now', versions: { waitop: expect.any(String) } })
    expect(j.progress).toEqual([{ got: 'now' }])
  })

  it('one job per runner: the next job waits for the runner, then runs', async () => {
    const first = runners.run(job('a', 'held'), 0)
    const second = runners.run(job('b', 'now'), 0)
    let secondDone = false
    void second.then(() => (secondDone = true))
    await new Promise((r) => setTimeout(r, 30))
    expect(secondDone).toBe(false)
    op.release()
    expect((await first).value).toBe('held')
    expect((await second).value).toBe('now')
  })

  it('a job past its timeout fails TIMEOUT; its runner is discarded and a fresh one runs the next job', async () => {
    const failure = await failureOf(runners.run(job('a', 'hung'), 50))
    expect(failure.code).toBe('TIMEOUT')
    expect(failure.message).toMatch(
      /^job a of pipeline 'wait' ran longer than its timeout of 50 ms and was failed/,
    )
    expect(made[0]!.dead).toBe(true)
    expect((await runners.run(job('b', 'now'), 50)).value).toBe('now')
    expect(made).toHaveLength(2)
    op.release() // the abandoned body returns; nothing more happens
  })

  it('abortAll ends the running jobs with the error it is given', async () => {
    const running = runners.run(job('a', 'held'), 0)
    await new Promise((r) => setTimeout(r, 10))
    await runners.abortAll((j) => ({ code: 'WORKER_SHUTDOWN', message: `stop ${j.id}` }))
    expect(await failureOf(running)).toEqual({ code: 'WORKER_SHUTDOWN', message: 'stop a' })
    expect(warnings).toEqual([])
  })
})
