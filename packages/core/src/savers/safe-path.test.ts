import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/fixtures/temp-dir.js'
import { ChariotsError } from '../errors/chariots-error.js'
import { DataSavingNode } from '../pipeline/data-nodes.js'
import { Pipeline } from '../pipeline/pipeline.js'
import { ReservedNodes } from '../pipeline/reserved-nodes.js'
import { SequentialRunner } from '../runners/sequential-runner.js'
import { JSONSerializer } from '../serializers/json-serializer.js'
import { FileSaver } from './file-saver.js'
import { safePath } from './safe-path.js'

const tempDir = useTempDirs('chariots-safe-path-')

const CLIMBING = [
  '../../outside.json',
  'a/../../x',
  '/../x',
  '..\\x',
  'a\\..\\..\\x',
  '%2e%2e/x',
  '%2e%2e%2fx',
  'a/%2F../x',
  '%2E%2E/x',
  'a/b\0.json',
  '..',
  '../store-sibling/x',
]

/** Every entry under `dir`, relative to it. */
async function listing(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort()
}

async function rejection(promise: Promise<unknown>): Promise<ChariotsError> {
  try {
    await promise
  } catch (e) {
    expect(e).toBeInstanceOf(ChariotsError)
    return e as ChariotsError
  }
  throw new Error('expected a rejection, and the promise resolved')
}

/** A store root two folders down in a fresh temp folder, so climbing paths would land inside it. */
async function nestedRoot(): Promise<{ parent: string; root: string }> {
  const parent = await tempDir()
  const root = join(parent, 'deep', 'er', 'store')
  await mkdir(root, { recursive: true })
  return { parent, root }
}

describe('saver paths that would leave the root', () => {
  it.each(CLIMBING)('%j is INVALID_PATH for save, load and exists, and writes nothing', async (path) => {
    const { parent, root } = await nestedRoot()
    const saver = new FileSaver(root)
    const before = await listing(parent)

    const err = await rejection(saver.save(Buffer.from('pwned'), path))
    expect(err.code).toBe('INVALID_PATH')
    expect(err.message).toContain('is not allowed')
    expect((await rejection(saver.load(path))).code).toBe('INVALID_PATH')
    expect((await rejection(saver.exists(path))).code).toBe('INVALID_PATH')

    expect(await listing(parent)).toEqual(before)
  })

  it('are refused by data nodes too, before anything is written', async () => {
    const { parent, root } = await nestedRoot()
    const saver = new FileSaver(root)
    const before = await listing(parent)
    for (const path of ['../../../outside.json', '../../x.json']) {
      const pipeline = new Pipeline(
        [
          new DataSavingNode({
            serializer: new JSONSerializer(),
            path,
            inputNodes: [ReservedNodes.pipelineInput],
          }),
        ],
        'save_it',
      )
      await pipeline.prepare(saver)
      const err = await rejection(new SequentialRunner().run(pipeline, { pwned: true }))
      expect(err.code).toBe('INVALID_PATH')
    }
    expect(await listing(parent)).toEqual(before)
  })

  it("allows '..' that stays inside the root", async () => {
    const { root } = await nestedRoot()
    const saver = new FileSaver(root)
    await saver.save(Buffer.from('ok'), 'a/../b.json')
    expect(await readFile(join(root, 'b.json'), 'utf8')).toBe('ok')
    expect(await listing(root)).toEqual(['b.json'])
    expect(safePath(root, 'a/b/../../c/d.json')).toBe(join(root, 'c', 'd.json'))
    expect(safePath(root, '///models/x')).toBe(join(root, 'models', 'x'))
  })

  it('refuses the root itself and the empty path (they are not files)', () => {
    for (const path of ['', '/', '.', 'a/..']) {
      expect(() => safePath('/srv/store', path)).toThrowError(
        expect.objectContaining({ code: 'INVALID_PATH' }),
      )
    }
  })
})
