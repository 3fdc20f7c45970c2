import { describe, expect, it } from 'vitest'
import { predictionPipeline, trainingPipeline } from '../../test/fixtures/ml-ops.js'
import { useTempDirs } from '../../test/fixtures/temp-dir.js'
import { LoadableOp } from '../ops/loadable-op.js'
import { Node } from '../pipeline/node.js'
import { Pipeline } from '../pipeline/pipeline.js'
import { ReservedNodes } from '../pipeline/reserved-nodes.js'
import { PipelineHost } from './pipeline-host.js'

const tempDir = useTempDirs('chariots-host-')

/** Holds each run until released; its runs change its state, as a training does. */
class HoldingTrainOp extends LoadableOp {
  static override opName = 'holding'
  private waiting: (() => void)[] = []
  async execute() {
    await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.markStateChanged()
    return 'trained'
  }
  get held() {
    return this.waiting.length
  }
  release() {
    this.waiting.shift()?.()
  }
  serialize() {
    return new Uint8Array([1])
  }
  load() {}
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 2))
}

describe('PipelineHost', () => {
  it('never answers a call from two model generations while loads swap them under traffic', async () => {
    const host = new PipelineHost([trainingPipeline(), predictionPipeline()], { path: await tempDir() })
    await host.run('train', [1, 2, 3, 4, 5]) // generation 1: mean 3, scale 2
    const first = await host.save('train')
    await host.run('train', [10, 20, 30]) // generation 2: mean 20, scale 10
    const second = await host.save('train')
    const pins = [first, second].map(({ saved }) => ({ mean: saved.mean!.seq, scale: saved.scale!.seq }))
    await host.load('predict', { pin: pins[0]! })

    const generations = new Map([
      [(40 - 3) / 2, 'first'],
      [(40 - 20) / 10, 'second'],
    ])
    const seen = new Set<string>()
    let loading = true
    const loads = (async () => {
      for (let i = 0; i < 40; i++) await host.load('predict', { pin: pins[(i + 1) % 2]! })
      loading = false
    })()
    const calls: Promise<void>[] = []
    while (loading) {
      for (let i = 0; i < 10; i++) {
        calls.push(
          host.run('predict', [40]).then(({ value, versions }) => {
            const out = (value as number[])[0]!
            const generation = generations.get(out)
            expect(generation, `output ${out} mixes two generations`).toBeDefined()
            // The versions answered are those of the models that computed the output.
            const saved = generation === 'first' ? first : second
            expect(versions).toMatchObject({
              mean: saved.saved.mean!.version,
              scale: saved.saved.scale!.version,
            })
            seen.add(generation!)
          }),
        )
      }
      await new Promise((r) => setImmediate(r))
    }
    await Promise.all([loads, ...calls])
    expect(calls.length).toBeGreaterThan(40)
    expect(seen).toEqual(new Set(['first', 'second']))
  })

  it('answers a save of a pipeline busy with a hung job with TIMEOUT, and saves once the job is done', async () => {
    const op = new HoldingTrainOp()
    const train = new Pipeline([new Node(op, { inputNodes: [ReservedNodes.pipelineInput] })], 'hold_train')
    const host = new PipelineHost([train], { path: await tempDir(), busyTimeoutMs: 150 })
    const job = host.runJob('hold_train', null, { jobId: 'j1' })
    await until(() => op.held === 1)
    const err = await host.save('hold_train').catch((e) => e)
    expect(err.code).toBe('TIMEOUT')
    expect(err.message).toContain("pipeline 'hold_train' stayed busy for 150 ms (job j1)")
    // A load of a pipeline that loads nothing does not wait for the job.
    await expect(host.load('hold_train')).resolves.toMatchObject({ loaded: true })
    op.release()
    await job
    // The job saved its own training.
    expect(await host.store.listStates('holding')).toHaveLength(1)
  })

  it('reports each job, its end and its failure to the logger', async () => {
    const lines: Array<[string, object, string | undefined]> = []
    const log = (level: string) => (fields: object, message?: string) =>
      void lines.push([level, fields, message])
    const host = new PipelineHost([trainingPipeline()], {
      path: await tempDir(),
      logger: { info: log('info'), warn: log('warn'), error: log('error') },
    })
    await host.runJob('train', [1, 2, 3], { jobId: 'ok' })
    await host.runJob('train', 'not numbers', { jobId: 'bad' }).catch(() => undefined)
    const jobs = lines.filter(([, fields]) => 'job' in fields)
    expect(jobs.map(([level, f, m]) => [level, (f as { job: string }).job, m?.split(':')[0]])).toEqual([
      ['info', 'ok', 'job started'],
      ['info', 'ok', 'job done'],
      ['info', 'bad', 'job started'],
      ['warn', 'bad', 'job failed'],
    ])
    expect(jobs[1]![1]).toMatchObject({ pipeline: 'train', status: 'done', ms: expect.any(Number) })
    expect(jobs[3]![1]).toMatchObject({ status: 'failed', code: 'OP_FAILED' })
  })
})
