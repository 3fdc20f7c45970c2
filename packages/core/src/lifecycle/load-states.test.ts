import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { predictionPipeline, trainingPipeline } from '../../test/fixtures/ml-ops.js'
import { useTempDirs } from '../../test/fixtures/temp-dir.js'
import { ChariotsError } from '../errors/chariots-error.js'
import { BaseOp } from '../ops/base-op.js'
import { LoadableOp } from '../ops/loadable-op.js'
import type { MLOp } from '../ops/ml-op.js'
import { Node } from '../pipeline/node.js'
import { Pipeline } from '../pipeline/pipeline.js'
import { ReservedNodes } from '../pipeline/reserved-nodes.js'
import { SequentialRunner } from '../runners/sequential-runner.js'
import { FileSaver } from '../savers/file-saver.js'
import { OpStore } from '../store/op-store.js'
import { VersionType } from '../versioning/version-type.js'
import { versioned } from '../versioning/versioned-field.js'

const IN = ReservedNodes.pipelineInput
const OUT = ReservedNodes.pipelineOutput
const tempDir = useTempDirs('chariots-load-states-')
const runner = new SequentialRunner()
const store = (root: string) => new OpStore(new FileSaver(root))

/** Counts how often it ran; the count is its saved state. */
abstract class CounterBase extends LoadableOp {
  count = 0
  execute() {
    this.count += 1
    this.markStateChanged()
    return this.count
  }
  serialize() {
    return Buffer.from(JSON.stringify({ count: this.count }), 'utf8')
  }
  load(bytes: Uint8Array) {
    const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as { count: unknown }
    if (typeof parsed.count !== 'number') throw new Error('no count in the saved state')
    this.count = parsed.count
  }
}

class CounterOp extends CounterBase {
  static override opName = 'counter'
  static step = versioned(1, VersionType.MAJOR)
  static label = versioned('runs', VersionType.MINOR)
}

/** The same op after a major change of its code. */
class CounterOpMajorChange extends CounterBase {
  static override opName = 'counter'
  static step = versioned(2, VersionType.MAJOR)
  static label = versioned('runs', VersionType.MINOR)
}

/** The same op after a minor change of its code. */
class CounterOpMinorChange extends CounterBase {
  static override opName = 'counter'
  static step = versioned(1, VersionType.MAJOR)
  static label = versioned('how many runs', VersionType.MINOR)
}

class PassOp extends BaseOp {
  static override opName = 'pass'
  execute(x: unknown) {
    return x
  }
}

function counterPipeline(op: CounterBase = new CounterOp()): Pipeline {
  return new Pipeline([new Node(op, { inputNodes: [IN], outputNodes: OUT })], 'count')
}

async function countTwiceAndSave(root: string): Promise<void> {
  const pipeline = counterPipeline()
  expect(await runner.run(pipeline)).toBe(1)
  expect(await runner.run(pipeline)).toBe(2)
  const saved = await pipeline.save(store(root))
  expect(Object.keys(saved)).toEqual(['counter'])
}

describe('a loadable op saved and loaded', () => {
  it('comes back with its state: the third run after save and load returns 3', async () => {
    const root = await tempDir()
    await countTwiceAndSave(root)
    const pipeline = counterPipeline()
    const outcome = await pipeline.load(store(root))
    expect(outcome).toMatchObject({ loaded: true, states: { counter: { seq: 1 } } })
    expect(pipeline.nodes[0]!.loadableOp!.hasSavedState).toBe(true)
    expect(await runner.run(pipeline)).toBe(3)
  })

  it('saves only what changed: a second save without a run writes nothing', async () => {
    const root = await tempDir()
    await countTwiceAndSave(root)
    const pipeline = counterPipeline()
    await pipeline.load(store(root))
    expect(await pipeline.save(store(root))).toEqual({})
    expect(await store(root).listStates('counter')).toHaveLength(1)
  })

  it('ignores the saved state after a major change of the op code, and the old code still finds its own', async () => {
    const root = await tempDir()
    await countTwiceAndSave(root)
    const pipeline = counterPipeline(new CounterOpMajorChange())
    await pipeline.load(store(root))
    expect(pipeline.isLoaded).toBe(true)
    expect(pipeline.nodes[0]!.loadableOp!.hasSavedState).toBe(false)
    expect(await runner.run(pipeline)).toBe(1)
    await pipeline.save(store(root))

    const old = counterPipeline()
    await old.load(store(root))
    expect(await runner.run(old)).toBe(3)
  })

  it('keeps the saved state after a minor change of the op code', async () => {
    const root = await tempDir()
    await countTwiceAndSave(root)
    const pipeline = counterPipeline(new CounterOpMinorChange())
    await pipeline.load(store(root))
    expect(await runner.run(pipeline)).toBe(3)
  })

  it('starts fresh when nothing was saved', async () => {
    const pipeline = counterPipeline()
    expect((await pipeline.load(store(await tempDir()))).loaded).toBe(true)
    expect(await runner.run(pipeline)).toBe(1)
  })

  it('fails with SERIALIZATION_ERROR naming the node and the file when its saved bytes are corrupt, and keeps its state', async () => {
    const root = await tempDir()
    await countTwiceAndSave(root)
    const pipeline = counterPipeline()
    await pipeline.load(store(root))
    expect(await runner.run(pipeline)).toBe(3)
    // A newer save whose bytes get corrupted on disk.
    const other = counterPipeline()
    await runner.run(other)
    await other.save(store(root))
    const latest = (await store(root).listStates('counter')).at(-1)!
    await writeFile(join(root, latest.blob), 'garbage')

    const err = await pipeline.load(store(root)).catch((e) => e)
    expect(err).toBeInstanceOf(ChariotsError)
    expect(err.code).toBe('SERIALIZATION_ERROR')
    expect(err.message).toContain("node 'counter'")
    expect(err.message).toContain(latest.blob)
    // Nothing was swapped: the op goes on from its own state.
    expect(await runner.run(pipeline)).toBe(4)
  })

  it('swaps all states or none: a failure on the second model leaves the first as it was', async () => {
    const root = await tempDir()
    const train = trainingPipeline()
    await runner.run(train, [1, 2, 3, 4, 5])
    await train.save(store(root))
    const predict = predictionPipeline()
    await predict.load(store(root))
    const meanBefore = (predict.node('mean')!.op as MLOp<number>).model

    const retrain = trainingPipeline()
    await runner.run(retrain, [10, 20, 30])
    await retrain.save(store(root))
    const scale = (await store(root).listStates('scale')).at(-1)!
    await writeFile(join(root, scale.blob), 'not an envelope')
    await expect(predict.load(store(root))).rejects.toMatchObject({ code: 'SERIALIZATION_ERROR' })
    expect((predict.node('mean')!.op as MLOp<number>).model).toBe(meanBefore)
    expect(await runner.run(predict, [7])).toEqual([2])
  })
})

describe('a nested pipeline saved and loaded', () => {
  function outerPipeline(): Pipeline {
    const inner = new Pipeline(
      [
        new Node(new PassOp(), { inputNodes: [IN], outputNodes: 'x', name: 'inner_pass' }),
        new Node(new CounterOp(), { inputNodes: ['x'], outputNodes: OUT }),
      ],
      'inner',
    )
    return new Pipeline(
      [
        new Node(new PassOp(), { inputNodes: [IN], outputNodes: 'y', name: 'before' }),
        new Node(inner, { inputNodes: ['y'], outputNodes: 'counted' }),
        new Node(new PassOp(), { inputNodes: ['counted'], outputNodes: OUT }),
      ],
      'outer',
    )
  }

  it("brings its inner loadable op's state back, with lineage through the outer pipeline", async () => {
    const root = await tempDir()
    const first = outerPipeline()
    expect(await runner.run(first, 'go')).toBe(1)
    expect(await runner.run(first, 'go')).toBe(2)
    await first.save(store(root))
    const [record] = await store(root).listStates('counter')
    expect(Object.keys(record!.lineage).sort()).toEqual(['before', 'inner_pass'])

    const second = outerPipeline()
    await second.load(store(root))
    expect(second.isLoaded).toBe(true)
    expect(await runner.run(second, 'go')).toBe(3)
  })
})
