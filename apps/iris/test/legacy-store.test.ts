// The iris store in fixtures/legacy-store was written by the code of commit 3c5a75b (before
// lineage: `/_meta.json` links), with fixtures/make-legacy-store.ts.txt: download, train_iris,
// save. The current app must serve its models, and train and save on top of it.
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Chariots } from '@chariots/server'
import { InProcessWorkerPool } from '@chariots/workers'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../create-app.js'

const fixture = fileURLToPath(new URL('./fixtures/legacy-store', import.meta.url))
const flowers = [
  [1, 2, 3, 4],
  [5.1, 3.5, 1.4, 0.2],
  [6.7, 3.0, 5.2, 2.3],
]

describe('an iris store written before lineage', () => {
  let dir: string
  let app: Chariots | undefined
  afterEach(async () => {
    await app?.close()
    await rm(dir, { recursive: true, force: true })
  })

  // The answers' JSON, read without casts in each assertion.
  const post = async (path: string, body: unknown): Promise<{ status: number; json(): Promise<any> }> =>
    app!.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  it('serves its models at start-up, then trains and saves on top of it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'iris-legacy-'))
    await cp(fixture, dir, { recursive: true })
    app = await createApp(dir, new InProcessWorkerPool())
    const predicted = await (await post('/pipelines/pred_iris/main', { pipeline_input: flowers })).json()
    // What the old code answered for the same store.
    expect(predicted.pipeline_output).toEqual(['versicolor', 'setosa', 'virginica'])

    expect((await post('/pipelines/train_iris/main', { pipeline_input: null })).status).toBe(200)
    const saved = await (await post('/pipelines/train_iris/save', null)).json()
    expect(Object.keys(saved.saved).sort()).toEqual(['pca', 'random_forest'])
    const loaded = await (await post('/pipelines/pred_iris/load', null)).json()
    expect(loaded.loaded).toBe(true)
    expect(loaded.states.pca.seq).toBe(saved.saved.pca.seq)
    const again = await (await post('/pipelines/pred_iris/main', { pipeline_input: flowers })).json()
    expect(again.pipeline_output).toHaveLength(3)
    expect(again.versions.pca).toBe(saved.saved.pca.version)
  })
})
