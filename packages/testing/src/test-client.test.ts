import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  MLMode,
  MLOp,
  Node,
  Pipeline,
  PipelineNotLoadedError,
  ReservedNodes,
  VersionError,
} from '@chariots/core'
import { Chariots } from '@chariots/server'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { counterPipeline, FailingOp, failingPipeline, isOddPipeline } from './example-ops.js'
import { TestClient } from './test-client.js'

describe('TestClient', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chariots-testing-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('calls pipelines in process and reads the versions', async () => {
    const client = new TestClient(new Chariots([isOddPipeline()], { path: dir }))
    const r = await client.callPipeline(isOddPipeline(), 4)
    expect(r).toMatchObject({ value: false, jobId: null, jobStatus: 'done' })
    expect(r.versions.get('isoddop')?.major).toMatch(/^[0-9a-f]{40}$/)
    expect(await client.isPipelineLoaded('is_odd')).toBe(true)
    expect([...(await client.pipelineVersions('is_odd')).keys()]).toEqual(['isoddop'])
  })

  it('saves and loads through the app', async () => {
    const client = new TestClient(new Chariots([counterPipeline()], { path: dir }))
    await client.callPipeline('counter')
    await client.savePipeline('counter')
    const again = new TestClient(new Chariots([counterPipeline()], { path: dir }))
    await again.loadPipeline('counter')
    expect((await again.callPipeline('counter')).value).toBe(2)
  })

  it('rebuilds errors: codes for 404 and 500, PipelineNotLoadedError for a 419 PIPELINE_NOT_LOADED', async () => {
    const client = new TestClient(new Chariots([failingPipeline(), predictPipeline()], { path: dir }))
    await expect(client.callPipeline('nope')).rejects.toMatchObject({
      name: 'ChariotsError',
      code: 'PIPELINE_NOT_FOUND',
    })
    await expect(client.callPipeline('failing')).rejects.toMatchObject({
      code: 'OP_FAILED',
      message: FailingOp.message,
    })
    const err = await client.callPipeline('predict', [1]).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PipelineNotLoadedError)
    expect(err).not.toBeInstanceOf(VersionError)
    expect(err).toMatchObject({ code: 'PIPELINE_NOT_LOADED', details: { status: 419 } })
    expect(await client.isPipelineLoaded('predict')).toBe(false)
  })
})

class MeanOp extends MLOp<number> {
  static override opName = 'meanop'
  initModel() {
    return 0
  }
  fit(xs: number[]) {
    this.model = xs.reduce((a, b) => a + b, 0) / xs.length
  }
  predict(xs: number[]) {
    return xs.map(() => this.model)
  }
  override serializeModel(m: number) {
    return new TextEncoder().encode(String(m))
  }
  override loadModel(b: Uint8Array) {
    return Number(new TextDecoder().decode(b))
  }
}

/** A prediction pipeline whose model was never trained: not loaded. */
function predictPipeline() {
  const { pipelineInput: IN, pipelineOutput: OUT } = ReservedNodes
  return new Pipeline(
    [new Node(new MeanOp(MLMode.PREDICT), { inputNodes: [IN], outputNodes: OUT })],
    'predict',
  )
}
