import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/fixtures/temp-dir.js'
import { ChariotsError } from '../errors/chariots-error.js'
import { BaseOp } from '../ops/base-op.js'
import { LoadableOp } from '../ops/loadable-op.js'
import { Node } from '../pipeline/node.js'
import { Pipeline } from '../pipeline/pipeline.js'
import { ReservedNodes } from '../pipeline/reserved-nodes.js'
import { FileSaver } from '../savers/file-saver.js'
import { Version } from '../versioning/version.js'
import { END_OF_PIPE, OpStore } from './op-store.js'

const tempDir = useTempDirs('chariots-op-store-')
const hex = (c: string) => c.repeat(40)
const v = (major: string, creationTime: number) => new Version({ major: hex(major), creationTime })

describe('OpStore links', () => {
  it('registers links, answers them and writes them to /_meta.json on save', async () => {
    const root = await tempDir()
    const store = new OpStore(new FileSaver(root))
    await store.reload()
    expect(store.toJSON()).toEqual({})
    const pca1 = v('a', 100.5)
    const pca2 = v('b', 200.25)
    store.registerValidLink('classifier', 'pca', pca1)
    store.registerValidLink('classifier', 'pca', pca2)
    store.registerValidLink('classifier', 'pca', pca2)
    store.registerValidLink(END_OF_PIPE, 'classifier', v('c', 150))
    expect(store.getValidatedLinks('classifier', 'pca').map(String)).toEqual([String(pca1), String(pca2)])
    expect(store.getValidatedLinks('classifier', 'other')).toEqual([])
    expect(store.getValidatedLinks('nobody', 'pca')).toEqual([])

    await store.save()
    const meta = JSON.parse(await readFile(join(root, '_meta.json'), 'utf8'))
    expect(meta).toEqual({
      classifier: { pca: [String(pca1), String(pca2)] },
      [END_OF_PIPE]: { classifier: [String(v('c', 150))] },
    })

    const fresh = new OpStore(new FileSaver(root))
    await fresh.reload()
    expect(fresh.toJSON()).toEqual(meta)
  })

  it('lists every saved version of an op, over all downstream ops, oldest first and once each', async () => {
    const store = new OpStore(new FileSaver(await tempDir()))
    store.registerValidLink('b', 'pca', v('3', 30))
    store.registerValidLink('a', 'pca', v('1', 10))
    store.registerValidLink(END_OF_PIPE, 'pca', v('2', 20))
    store.registerValidLink('a', 'pca', v('2', 20))
    expect(store.getAllVersionsOfOp('pca').map((x) => x.major)).toEqual([hex('1'), hex('2'), hex('3')])
    expect(store.getAllVersionsOfOp('unknown')).toEqual([])
  })

  it('saves and loads op bytes at /models/<op>/<version>', async () => {
    const root = await tempDir()
    const store = new OpStore(new FileSaver(root))
    const version = v('d', 1764493200.123456)
    await store.saveOpBytes('pca', version, Buffer.from('weights'))
    expect(await readFile(join(root, 'models', 'pca', version.toString()), 'utf8')).toBe('weights')
    expect(Buffer.from(await store.getOpBytesForVersion('pca', version)).toString()).toBe('weights')
    const err = await store.getOpBytesForVersion('pca', v('e', 1)).catch((e) => e)
    expect(err).toBeInstanceOf(ChariotsError)
    expect(err.code).toBe('NOT_FOUND')
  })

  it('merges into what other stores saved meanwhile instead of overwriting it', async () => {
    const root = await tempDir()
    const one = new OpStore(new FileSaver(root))
    const two = new OpStore(new FileSaver(root))
    await one.reload()
    await two.reload()
    one.registerValidLink('clf', 'pca', v('1', 1))
    two.registerValidLink('clf', 'pca', v('2', 2))
    two.registerValidLink('other', 'x', v('3', 3))
    await one.save()
    await two.save()
    const reader = new OpStore(new FileSaver(root))
    await reader.reload()
    expect(reader.getValidatedLinks('clf', 'pca').map((x) => x.major)).toEqual([hex('1'), hex('2')])
    expect(reader.getValidatedLinks('other', 'x')).toHaveLength(1)
    // The saving store also sees the merged state.
    expect(two.getValidatedLinks('clf', 'pca')).toHaveLength(2)
  })

  it('loses no link when pipelines sharing one store are saved at the same time', async () => {
    class StateOp extends LoadableOp {
      static override opName = 'stateop'
      execute(x: number) {
        return x
      }
      serialize() {
        return Buffer.from('state')
      }
      load() {}
    }
    class TailOp extends BaseOp {
      static override opName = 'tailop'
      execute(x: number) {
        return x
      }
    }
    const root = await tempDir()
    const store = new OpStore(new FileSaver(root))
    await store.reload()
    const pipelines = Array.from(
      { length: 12 },
      (_, i) =>
        new Pipeline(
          [
            new Node(new StateOp(), {
              inputNodes: [ReservedNodes.pipelineInput],
              outputNodes: 'x',
              name: `head_${i}`,
            }),
            new Node(new TailOp(), {
              inputNodes: ['x'],
              outputNodes: ReservedNodes.pipelineOutput,
              name: `tail_${i}`,
            }),
          ],
          `p_${i}`,
        ),
    )
    // Staggered starts, so some pipelines register links while another's save is writing.
    await Promise.all(
      pipelines.map(async (p, i) => {
        await new Promise((r) => setTimeout(r, i * 2))
        await p.save(store)
      }),
    )

    const reader = new OpStore(new FileSaver(root))
    await reader.reload()
    for (let i = 0; i < pipelines.length; i++) {
      expect(reader.getValidatedLinks(`tail_${i}`, `head_${i}`), `links of pipeline ${i}`).toHaveLength(1)
      expect(reader.getValidatedLinks(END_OF_PIPE, `tail_${i}`), `end of pipeline ${i}`).toHaveLength(1)
    }
  })

  it('keeps a link registered while a save is writing the metadata', async () => {
    /** A FileSaver that pauses every write of /_meta.json until released. */
    class GatedSaver extends FileSaver {
      onWrite: (() => void) | null = null
      unblock: (() => void) | null = null
      override async save(bytes: Uint8Array, path: string): Promise<void> {
        if (path === '/_meta.json') {
          const released = new Promise<void>((r) => {
            this.unblock = r
          })
          this.onWrite?.()
          await released
        }
        return super.save(bytes, path)
      }
    }
    const root = await tempDir()
    const saver = new GatedSaver(root)
    const store = new OpStore(saver)
    store.registerValidLink('clf', 'pca', v('1', 1))
    const writing = new Promise<void>((r) => {
      saver.onWrite = r
    })
    const first = store.save()
    await writing
    // Another pipeline of this process registers its link while the first save is writing.
    store.registerValidLink('clf', 'pca', v('2', 2))
    saver.unblock!()
    await first
    saver.onWrite = () => saver.unblock!()
    await store.save()

    const reader = new OpStore(new FileSaver(root))
    await reader.reload()
    expect(reader.getValidatedLinks('clf', 'pca').map((x) => x.major)).toEqual([hex('1'), hex('2')])
  })

  it('keeps links registered but not yet saved when it reloads', async () => {
    const root = await tempDir()
    const store = new OpStore(new FileSaver(root))
    const other = new OpStore(new FileSaver(root))
    store.registerValidLink('clf', 'pca', v('1', 1))
    other.registerValidLink('clf', 'pca', v('2', 2))
    await other.save()
    // Another job of this process reloads the shared store between this job's register and save.
    await store.reload()
    expect(store.getValidatedLinks('clf', 'pca')).toHaveLength(2)
    await store.save()
    const reader = new OpStore(new FileSaver(root))
    await reader.reload()
    expect(reader.getValidatedLinks('clf', 'pca').map((x) => x.major)).toEqual([hex('2'), hex('1')])
  })

  it('fails with STORE_ERROR naming the file when /_meta.json is not valid JSON', async () => {
    const root = await tempDir()
    await writeFile(join(root, '_meta.json'), '{"clf": {"pca": [')
    for (const action of [(s: OpStore) => s.reload(), (s: OpStore) => s.save()]) {
      const err = await action(new OpStore(new FileSaver(root))).catch((e) => e)
      expect(err).toBeInstanceOf(ChariotsError)
      expect(err.code).toBe('STORE_ERROR')
      expect(err.message).toContain("'/_meta.json' is not valid JSON")
    }
    // Nothing was overwritten.
    expect(await readFile(join(root, '_meta.json'), 'utf8')).toBe('{"clf": {"pca": [')
  })

  it('ignores entries of the wrong shape in /_meta.json', async () => {
    const root = await tempDir()
    const good = v('1', 1).toString()
    await writeFile(
      join(root, '_meta.json'),
      JSON.stringify({ clf: { pca: [good, 42], bad: 'x' }, weird: null }),
    )
    const store = new OpStore(new FileSaver(root))
    await store.reload()
    expect(store.toJSON()).toEqual({ clf: { pca: [good] } })
  })
})
