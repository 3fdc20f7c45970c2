import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/fixtures/temp-dir.js'
import { ChariotsError } from '../errors/chariots-error.js'
import { BaseOp } from '../ops/base-op.js'
import { LoadableOp } from '../ops/loadable-op.js'
import { Node } from '../pipeline/node.js'
import { Pipeline } from '../pipeline/pipeline.js'
import { ReservedNodes } from '../pipeline/reserved-nodes.js'
import { SequentialRunner } from '../runners/sequential-runner.js'
import { FileSaver } from '../savers/file-saver.js'
import { END_OF_PIPE, OpStore } from '../store/op-store.js'
import { VersionType } from '../versioning/version-type.js'
import { versioned } from '../versioning/versioned-field.js'

const IN = ReservedNodes.pipelineInput
const OUT = ReservedNodes.pipelineOutput
const tempDir = useTempDirs('chariots-persistence-')
const runner = new SequentialRunner()

/** Counts how often it ran; the count is its saved state. */
abstract class CounterBase extends LoadableOp {
  count = 0
  execute() {
    this.count += 1
    return this.count
  }
  serialize() {
    return Buffer.from(JSON.stringify({ count: this.count }), 'utf8')
  }
  load(bytes: Uint8Array) {
    this.count = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { count: number }).count
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

/** A fresh saver and store on `root`, as another process would make them. */
async function freshStore(root: string): Promise<OpStore> {
  const store = new OpStore(new FileSaver(root))
  await store.reload()
  return store
}

/** Runs a counter pipeline twice and saves it in `root`. */
async function countTwiceAndSave(root: string): Promise<void> {
  const pipeline = counterPipeline()
  expect(await runner.run(pipeline)).toBe(1)
  expect(await runner.run(pipeline)).toBe(2)
  await pipeline.save(await freshStore(root))
}

describe('a loadable op saved and loaded', () => {
  it('comes back with its state: the third run after save and load returns 3', async () => {
    const root = await tempDir()
    await countTwiceAndSave(root)

    const pipeline = counterPipeline()
    await pipeline.load(await freshStore(root))
    expect(pipeline.isLoaded).toBe(true)
    expect(pipeline.nodes[0]!.loadableOp!.hasSavedState).toBe(true)
    expect(await runner.run(pipeline)).toBe(3)
  })

  it('writes the op bytes at /models/<node>/<version> and the links in /_meta.json', async () => {
    const root = await tempDir()
    await countTwiceAndSave(root)
    const version = CounterOp.version.toString()
    expect(await readdir(join(root, 'models', 'counter'))).toEqual([version])
    expect(JSON.parse(await readFile(join(root, 'models', 'counter', version), 'utf8'))).toEqual({ count: 2 })
    expect(JSON.parse(await readFile(join(root, '_meta.json'), 'utf8'))).toEqual({
      [END_OF_PIPE]: { counter: [version] },
    })
  })

  it('ignores the saved state after a major change of the op code (starts at 1)', async () => {
    const root = await tempDir()
    await countTwiceAndSave(root)
    expect(CounterOpMajorChange.version.major).not.toBe(CounterOp.version.major)

    const pipeline = counterPipeline(new CounterOpMajorChange())
    await pipeline.load(await freshStore(root))
    expect(pipeline.isLoaded).toBe(true)
    expect(pipeline.nodes[0]!.loadableOp!.hasSavedState).toBe(false)
    expect(await runner.run(pipeline)).toBe(1)

    // The old code still finds its own state, also after the new code saved its.
    await pipeline.save(await freshStore(root))
    const old = counterPipeline()
    await old.load(await freshStore(root))
    expect(await runner.run(old)).toBe(3)
  })

  it('keeps the saved state after a minor change of the op code', async () => {
    const root = await tempDir()
    await countTwiceAndSave(root)
    expect(CounterOpMinorChange.version.major).toBe(CounterOp.version.major)
    expect(CounterOpMinorChange.version.minor).not.toBe(CounterOp.version.minor)

    const pipeline = counterPipeline(new CounterOpMinorChange())
    await pipeline.load(await freshStore(root))
    expect(await runner.run(pipeline)).toBe(3)
  })

  it('starts fresh when nothing was saved', async () => {
    const pipeline = counterPipeline()
    await pipeline.load(await freshStore(await tempDir()))
    expect(pipeline.isLoaded).toBe(true)
    expect(await runner.run(pipeline)).toBe(1)
  })

  it('fails with SERIALIZATION_ERROR naming the node when its saved bytes are corrupt', async () => {
    const root = await tempDir()
    await countTwiceAndSave(root)
    await writeFile(join(root, 'models', 'counter', CounterOp.version.toString()), 'garbage')
    const pipeline = counterPipeline()
    const err = await pipeline.load(await freshStore(root)).catch((e) => e)
    expect(err).toBeInstanceOf(ChariotsError)
    expect(err.code).toBe('SERIALIZATION_ERROR')
    expect(err.message).toContain("node 'counter'")
    expect(pipeline.isLoaded).toBe(false)
    expect(pipeline.notLoadedReason).toContain("node 'counter'")
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
        new Node(inner, { inputNodes: [IN], outputNodes: 'counted' }),
        new Node(new PassOp(), { inputNodes: ['counted'], outputNodes: OUT }),
      ],
      'outer',
    )
  }

  it("brings its inner loadable op's state back", async () => {
    const root = await tempDir()
    const first = outerPipeline()
    expect(await runner.run(first, 'go')).toBe(1)
    expect(await runner.run(first, 'go')).toBe(2)
    await first.save(await freshStore(root))

    const meta = JSON.parse(await readFile(join(root, '_meta.json'), 'utf8'))
    expect(Object.keys(meta[END_OF_PIPE]).sort()).toEqual(['counter', 'pass'])
    expect(Object.keys(meta.counter)).toEqual(['inner_pass'])
    expect(Object.keys(meta.pass)).toEqual(['inner'])

    const second = outerPipeline()
    await second.load(await freshStore(root))
    expect(second.isLoaded).toBe(true)
    expect(await runner.run(second, 'go')).toBe(3)
  })
})
