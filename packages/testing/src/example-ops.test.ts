import { SequentialRunner, withProgressReporter } from '@chariots/core'
import { describe, expect, it } from 'vitest'
import {
  AddOneOp,
  addOneIsOddPipeline,
  CounterOp,
  counterPipeline,
  FailingOp,
  failingPipeline,
  IsOddOp,
  isOddPipeline,
  ProgressOp,
  progressPipeline,
  RangeOp,
  rangePipeline,
  slowPipeline,
} from './example-ops.js'

const run = (p: Parameters<SequentialRunner['run']>[0], input?: unknown) =>
  new SequentialRunner().run(p, input)

describe('example ops', () => {
  it('have the op names the wire uses', () => {
    expect(
      [new AddOneOp(), new IsOddOp(), new RangeOp(), new CounterOp(), new FailingOp(), new ProgressOp()].map(
        (o) => o.name,
      ),
    ).toEqual(['addoneop', 'isoddop', 'rangeop', 'counterop', 'failingop', 'progressop'])
  })

  it('is_odd is one IsOddOp node named isoddop', async () => {
    const p = isOddPipeline()
    expect(p.name).toBe('is_odd')
    expect([...p.getPipelineVersions().keys()]).toEqual(['isoddop'])
    expect(await run(p, 4)).toBe(false)
    expect(await run(p, 3)).toBe(true)
    expect(isOddPipeline('simple_pipeline').name).toBe('simple_pipeline')
  })

  it('the other pipelines compute what they say, with fresh instances each time', async () => {
    expect(await run(addOneIsOddPipeline(), 4)).toBe(true)
    expect(await run(rangePipeline(), 3)).toEqual([0, 1, 2])
    expect(await run(slowPipeline(5), 'x')).toBe('x')
    const counter = counterPipeline()
    expect(await run(counter)).toBe(1)
    expect(await run(counter)).toBe(2)
    expect(await run(counterPipeline())).toBe(1)
    await expect(run(failingPipeline())).rejects.toThrow(FailingOp.message)
  })

  it('CounterOp saves and loads its count', () => {
    const a = new CounterOp()
    a.execute()
    a.execute()
    const b = new CounterOp()
    b.load(a.serialize())
    expect(b.execute()).toBe(3)
  })

  it('ProgressOp reports 0.5 through the progress reporter', async () => {
    const seen: unknown[] = []
    expect(
      await withProgressReporter(
        (p) => seen.push(p),
        () => run(progressPipeline(1), 7),
      ),
    ).toBe(7)
    expect(seen).toEqual([0.5])
  })
})
