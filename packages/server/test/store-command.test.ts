import { PipelineHost } from '@chariots/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli-process.js'
import { trainMean } from './helpers/lifecycle-ops.js'
import { tempDir } from './helpers/transports.js'

describe('chariots store', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeEach(async () => {
    dir = await tempDir()
  })
  afterEach(async () => {
    await dir.remove()
  })

  it('lists each node\u2019s states with who saved them, and prunes to --keep', async () => {
    const host = new PipelineHost([trainMean()], { path: dir.path })
    for (const xs of [[1], [2], [3], [4]]) {
      await host.run('train_mean', xs)
      await host.save('train_mean', { savedBy: 'the test' })
    }
    const ls = await runCli(['store', 'ls', '--path', dir.path])
    expect(ls.code).toBe(0)
    expect(ls.stdout).toContain('mean: 4 state(s)')
    expect(ls.stdout.match(/^ {2}#\d /gm)).toHaveLength(4)
    expect(ls.stdout).toContain('by the test')

    const prune = await runCli(['store', 'prune', '--path', dir.path, '--keep', '1'])
    expect(prune.code).toBe(0)
    expect(prune.stdout.trim()).toBe('mean: removed 3, kept 1')
    expect((await host.store.listStates('mean')).length).toBe(4) // this store object's index is older…
    await host.store.reload()
    expect((await host.store.listStates('mean')).map((r) => r.seq)).toEqual([4]) // …a reload sees the prune

    const again = await runCli(['store', 'prune', '--path', dir.path, '--keep', '1'])
    expect(again.stdout).toContain('nothing to prune')
  })

  it('refuses a bad action or --keep with the usage, exit 2', async () => {
    const bad = await runCli(['store', 'drop', '--path', dir.path])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("expected 'ls' or 'prune'")
    const keep = await runCli(['store', 'prune', '--path', dir.path, '--keep', '0'])
    expect(keep.code).toBe(2)
    expect(keep.stderr).toContain('--keep takes a whole number')
  })
})
