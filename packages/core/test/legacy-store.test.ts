import { cp, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { LoadableOp } from '../src/ops/loadable-op.js'
import type { MLOp } from '../src/ops/ml-op.js'
import { Node } from '../src/pipeline/node.js'
import { Pipeline } from '../src/pipeline/pipeline.js'
import { ReservedNodes } from '../src/pipeline/reserved-nodes.js'
import { SequentialRunner } from '../src/runners/sequential-runner.js'
import { FileSaver } from '../src/savers/file-saver.js'
import { OpStore } from '../src/store/op-store.js'
import { predictionPipeline, trainingPipeline } from './fixtures/ml-ops.js'
import { useTempDirs } from './fixtures/temp-dir.js'

// The store in fixtures/legacy-store was written by the code of commit 3c5a75b (see
// fixtures/legacy-store-maker/README.md): `/_meta.json` links, `/models/<node>/<version>` bytes.
const fixture = fileURLToPath(new URL('./fixtures/legacy-store', import.meta.url))
const tempDir = useTempDirs('chariots-legacy-')
const runner = new SequentialRunner()

/** The counter of the old fixture script: no versioned fields, saved as `{ count }`. */
class CounterOp extends LoadableOp {
  static override opName = 'counter'
  count = 0
  execute() {
    this.markStateChanged()
    return ++this.count
  }
  serialize() {
    return Buffer.from(JSON.stringify({ count: this.count }))
  }
  load(bytes: Uint8Array) {
    this.count = JSON.parse(Buffer.from(bytes).toString()).count
  }
}

async function copyOfFixture(): Promise<string> {
  const root = await tempDir()
  await cp(fixture, root, { recursive: true })
  return root
}

describe('a store written by the code before lineage', () => {
  it('loads the models trained together last, and a counter goes on from its saved count', async () => {
    const root = await copyOfFixture()
    const predict = predictionPipeline()
    expect((await predict.load(new OpStore(new FileSaver(root)))).loaded).toBe(true)
    expect((predict.node('mean')!.op as MLOp<number>).model).toBe(20)
    expect((predict.node('scale')!.op as MLOp<number>).model).toBe(10)
    expect(await runner.run(predict, [40, 15])).toEqual([2, -0.5])

    const counter = new Pipeline(
      [
        new Node(new CounterOp(), {
          inputNodes: [ReservedNodes.pipelineInput],
          outputNodes: ReservedNodes.pipelineOutput,
        }),
      ],
      'count',
    )
    await counter.load(new OpStore(new FileSaver(root)))
    expect(await runner.run(counter)).toBe(3)
  })

  it('keeps loading after the first save migrated it, and the version rule holds across old and new states', async () => {
    const root = await copyOfFixture()
    const meta = await readFile(`${root}/_meta.json`)
    const train = trainingPipeline()
    await runner.run(train, [1, 2, 3]) // mean 2, scale 1
    await train.save(new OpStore(new FileSaver(root)))
    expect(await readFile(`${root}/_meta.json`)).toEqual(meta)

    const store = new OpStore(new FileSaver(root))
    expect(await store.listStates('mean')).toHaveLength(3)
    const predict = predictionPipeline()
    await predict.load(store)
    expect(await runner.run(predict, [4])).toEqual([2])
    // Pinned to the old pair (the second training of the fixture), it serves that pair.
    const [, oldMean] = await store.listStates('mean')
    const [, oldScale] = await store.listStates('scale')
    const pinned = predictionPipeline()
    await pinned.load(store, { pin: { mean: oldMean!.seq, scale: oldScale!.seq } })
    expect(await runner.run(pinned, [40, 15])).toEqual([2, -0.5])
  })
})
