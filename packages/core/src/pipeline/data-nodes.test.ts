import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/fixtures/temp-dir.js'
import { ChariotsError } from '../errors/chariots-error.js'
import { SequentialRunner } from '../runners/sequential-runner.js'
import { FileSaver } from '../savers/file-saver.js'
import type { BaseSerializer } from '../serializers/base-serializer.js'
import { CSVSerializer } from '../serializers/csv-serializer.js'
import { JSONSerializer } from '../serializers/json-serializer.js'
import { DataLoadingNode, DataSavingNode } from './data-nodes.js'
import { Node } from './node.js'
import { Pipeline } from './pipeline.js'
import { ReservedNodes } from './reserved-nodes.js'

const IN = ReservedNodes.pipelineInput
const OUT = ReservedNodes.pipelineOutput
const tempDir = useTempDirs('chariots-data-nodes-')
const runner = new SequentialRunner()
const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex')

function savingPipeline(serializer: BaseSerializer<any>, path: string): Pipeline {
  return new Pipeline([new DataSavingNode({ serializer, path, inputNodes: [IN] })], 'save_data')
}

function loadingPipeline(serializer: BaseSerializer<any>, path: string): Pipeline {
  return new Pipeline(
    [new DataLoadingNode({ serializer, path, outputNodes: OUT, name: 'load' })],
    'load_data',
  )
}

/** Saves `value` at /data/<path> through a saving pipeline, the way a user would. */
async function saveThroughPipeline(
  saver: FileSaver,
  serializer: BaseSerializer<any>,
  path: string,
  value: unknown,
) {
  const pipeline = savingPipeline(serializer, path)
  await pipeline.prepare(saver)
  expect(await runner.run(pipeline, value)).toBeUndefined()
}

describe('data nodes', () => {
  it('round-trip JSON through /data/<path> in the saver', async () => {
    const root = await tempDir()
    const saver = new FileSaver(root)
    const value = {
      rows: [
        [1, 2],
        [3, 4],
      ],
      label: 'x',
    }
    await saveThroughPipeline(saver, new JSONSerializer(), 'sets/train.json', value)
    expect(JSON.parse(await readFile(join(root, 'data', 'sets', 'train.json'), 'utf8'))).toEqual(value)

    const load = loadingPipeline(new JSONSerializer(), '/sets/train.json')
    await load.prepare(new FileSaver(root))
    expect(await runner.run(load)).toEqual(value)
  })

  it('round-trip CSV, numeric columns coming back as numbers', async () => {
    const root = await tempDir()
    const records = [
      { sepal_length: 5.1, sepal_width: 3.5, species: 'setosa' },
      { sepal_length: 7, sepal_width: 3.2, species: 'versicolor, maybe' },
    ]
    await saveThroughPipeline(new FileSaver(root), new CSVSerializer(), 'iris.csv', records)
    expect(await readFile(join(root, 'data', 'iris.csv'), 'utf8')).toMatch(
      /^sepal_length,sepal_width,species\n5.1,3.5,setosa\n/,
    )

    const load = loadingPipeline(new CSVSerializer(), 'iris.csv')
    await load.prepare(new FileSaver(root))
    const back = (await runner.run(load)) as typeof records
    expect(back).toEqual(records)
    expect(typeof back[1]!.sepal_length).toBe('number')
  })

  it("give the loading node a major version equal to the SHA-1 of the file's bytes, which moves with the file", async () => {
    const root = await tempDir()
    const saver = new FileSaver(root)
    const json = new JSONSerializer()
    await saveThroughPipeline(saver, json, 'd.json', [1, 2, 3])
    const firstBytes = await readFile(join(root, 'data', 'd.json'))

    const load = loadingPipeline(json, 'd.json')
    await load.prepare(saver)
    const first = load.getPipelineVersions().get('load')!
    expect(first.major).toBe(sha1(firstBytes))

    // Running again on the same file keeps the version.
    await runner.run(load)
    expect(load.getPipelineVersions().get('load')!.toString()).toBe(first.toString())

    await saveThroughPipeline(saver, json, 'd.json', [1, 2, 3, 4])
    const secondBytes = await readFile(join(root, 'data', 'd.json'))
    // A run reads the new file and moves the version...
    expect(await runner.run(load)).toEqual([1, 2, 3, 4])
    const second = load.getPipelineVersions().get('load')!
    expect(second.major).toBe(sha1(secondBytes))
    expect(second.major).not.toBe(first.major)
    // ...and so does preparing a fresh pipeline.
    const fresh = loadingPipeline(json, 'd.json')
    await fresh.prepare(new FileSaver(root))
    expect(fresh.getPipelineVersions().get('load')!.major).toBe(sha1(secondBytes))
  })

  it('reach data nodes inside nested pipelines through prepare', async () => {
    const root = await tempDir()
    await saveThroughPipeline(new FileSaver(root), new JSONSerializer(), 'n.json', { nested: true })
    const inner = loadingPipeline(new JSONSerializer(), 'n.json')
    const outer = new Pipeline([new Node(inner, { outputNodes: OUT })], 'outer')
    await outer.prepare(new FileSaver(root))
    expect(await runner.run(outer)).toEqual({ nested: true })
  })

  it('fail with a message naming prepare when no saver was given', async () => {
    const err = (await runner
      .run(loadingPipeline(new JSONSerializer(), 'x.json'))
      .catch((e) => e)) as ChariotsError
    expect(err).toBeInstanceOf(ChariotsError)
    expect(err.code).toBe('INVALID_GRAPH')
    expect(err.message).toContain('pipeline.prepare(saver)')
  })

  it('fail with NOT_FOUND naming the file when it is missing', async () => {
    const load = loadingPipeline(new JSONSerializer(), 'missing.json')
    await load.prepare(new FileSaver(await tempDir()))
    const err = (await runner.run(load).catch((e) => e)) as ChariotsError
    expect(err).toBeInstanceOf(ChariotsError)
    expect(err.code).toBe('NOT_FOUND')
    expect(err.message).toContain('/data/missing.json')
  })
})
