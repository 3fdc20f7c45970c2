import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  BaseOp,
  ConcurrentRunner,
  DataLoadingNode,
  DataSavingNode,
  FileSaver,
  JSONSerializer,
  Node,
  OpStore,
  Pipeline,
  PipelineCallback,
  PipelineNotLoadedError,
  ReservedNodes,
  VersionError,
} from '@chariots/core'
import { addOneIsOddPipeline, counterPipeline, isOddPipeline, RangeOp } from '@chariots/testing'
import { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Chariots, type ChariotsOptions } from '../src/index.js'
import { predict, trainBoth, trainUpstream } from './helpers/ml-pipelines.js'
import { type Opened, tempDir, transports, VERSION_RE } from './helpers/transports.js'

const { pipelineInput: IN, pipelineOutput: OUT } = ReservedNodes

class SumOp extends BaseOp {
  static override opName = 'sumop'
  execute(input: { xs: number[] }) {
    return input.xs.reduce((a, b) => a + b, 0)
  }
}

describe.each(transports)('Chariots through $name', (transport) => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  const opened: Opened[] = []
  const open = async (pipelines: Pipeline[], options: ChariotsOptions = {}) => {
    const app = new Chariots(pipelines, { path: dir.path, ...options })
    const o = await transport.open(app)
    opened.push(o)
    return { app, ...o }
  }

  beforeEach(async () => {
    dir = await tempDir()
  })
  afterEach(async () => {
    for (const o of opened.splice(0)) await o.close()
    await dir.remove()
  })

  it('calls the is_odd pipeline and answers the versions of its nodes', async () => {
    const { client } = await open([isOddPipeline()])
    const r = await client.callPipeline('is_odd', 4)
    expect(r.value).toBe(false)
    expect(r.jobId).toBeNull()
    expect(r.jobStatus).toBe('done')
    expect([...r.versions.keys()]).toEqual(['isoddop'])
    expect(r.versions.get('isoddop')!.toString()).toMatch(VERSION_RE)
    expect((await client.callPipeline(isOddPipeline(), 3)).value).toBe(true)
  })

  it('runs a nested pipeline', async () => {
    const nested = new Pipeline(
      [
        new Node(new RangeOp(), { inputNodes: [IN], outputNodes: 'range' }),
        new Node(new LengthOp(), { inputNodes: ['range'], outputNodes: 'n' }),
        new Node(addOneIsOddPipeline('inner'), { inputNodes: ['n'], outputNodes: OUT }),
      ],
      'nested',
    )
    const { client } = await open([nested])
    const r = await client.callPipeline('nested', 4) // range(4) has 4 items, 4 + 1 = 5 is odd
    expect(r.value).toBe(true)
    expect([...r.versions.keys()]).toEqual(['rangeop', 'lengthop', 'inner'])
    expect((await client.callPipeline('nested', 5)).value).toBe(false)
  })

  it('validates a pipeline input with its schema and passes it to the ops', async () => {
    const sum = new Pipeline([new Node(new SumOp(), { inputNodes: [IN], outputNodes: OUT })], 'sum', {
      input: z.object({ xs: z.array(z.number()) }),
      output: z.number(),
    })
    const { client } = await open([sum])
    expect((await client.callPipeline('sum', { xs: [1, 2, 3] })).value).toBe(6)
    await expect(client.callPipeline('sum', { xs: [1, 'two'] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('[xs][1]'),
    })
  })

  it('writes and reads data files under the app path', async () => {
    const write = new Pipeline(
      [
        new Node(new RangeOp(), { inputNodes: [IN], outputNodes: 'range' }),
        new DataSavingNode({ serializer: new JSONSerializer(), path: 'range.json', inputNodes: ['range'] }),
      ],
      'write_range',
    )
    const read = new Pipeline(
      [new DataLoadingNode({ serializer: new JSONSerializer(), path: 'range.json', outputNodes: OUT })],
      'read_range',
    )
    const { client } = await open([write, read])
    expect((await client.callPipeline('write_range', 3)).value).toBeNull()
    expect(JSON.parse(await readFile(join(dir.path, 'data', 'range.json'), 'utf8'))).toEqual([0, 1, 2])
    const r = await client.callPipeline('read_range')
    expect(r.value).toEqual([0, 1, 2])
    expect(r.versions.get('load_range.json')!.major).toMatch(/^[0-9a-f]{40}$/)
  })

  it('keeps a loadable op state across an app restart (save, new app, load)', async () => {
    const first = await open([counterPipeline()])
    expect((await first.client.callPipeline('counter')).value).toBe(1)
    expect((await first.client.callPipeline('counter')).value).toBe(2)
    await first.client.savePipeline('counter')
    const second = await open([counterPipeline()])
    await second.client.loadPipeline('counter')
    expect((await second.client.callPipeline('counter')).value).toBe(3)
    const states = await new OpStore(new FileSaver(dir.path)).listStates('counterop')
    expect(states).toHaveLength(1)
    expect(states[0]).toMatchObject({ pipeline: 'counter', savedBy: 'POST /pipelines/counter/save' })
  })

  it('refuses to load a predictor trained on an outdated upstream (VersionError, 419)', async () => {
    const { client, raw } = await open([trainBoth(), trainUpstream(), predict()])
    await client.callPipeline('train_both', [1, 2, 3])
    await client.savePipeline('train_both')
    await client.loadPipeline('predict')
    expect((await client.callPipeline('predict', [0, 10])).value).toEqual([false, true])
    await client.callPipeline('train_upstream', [10, 20, 30])
    await client.savePipeline('train_upstream')
    const err = await client.loadPipeline('predict').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(VersionError)
    expect(err).not.toBeInstanceOf(PipelineNotLoadedError)
    expect(err).toMatchObject({
      code: 'VERSION_INCOMPATIBLE',
      message: expect.stringContaining("'downstreamop'"),
      details: expect.objectContaining({ downstream: 'downstreamop', upstream: 'upstreamop', status: 419 }),
    })
    // The refused load changed nothing: the pair trained together keeps serving, and health says
    // that a newer load was refused.
    expect(await client.isPipelineLoaded('predict')).toBe(true)
    expect((await client.callPipeline('predict', [0, 10])).value).toEqual([false, true])
    const health = (await (await raw('/pipelines/predict/health_check')).json()) as Record<string, any>
    expect(health).toMatchObject({ is_loaded: true, refused: { code: 'VERSION_INCOMPATIBLE' } })
    expect(health.refused.message).toContain("'downstreamop'")
  })

  it('reports health before and after training', async () => {
    const { client, raw } = await open([trainBoth(), predict()])
    expect(await client.isPipelineLoaded('predict')).toBe(false)
    expect(await client.isPipelineLoaded('train_both')).toBe(true)
    expect(await (await raw('/health_check')).json()).toEqual({ train_both: true, predict: false })
    const notLoaded = await client.callPipeline('predict', [1]).catch((e: unknown) => e)
    expect(notLoaded).toBeInstanceOf(PipelineNotLoadedError)
    expect(notLoaded).not.toBeInstanceOf(VersionError)
    expect(notLoaded).toMatchObject({ code: 'PIPELINE_NOT_LOADED' })
    await client.callPipeline('train_both', [1, 2, 3])
    await client.savePipeline('train_both')
    await client.loadPipeline('predict')
    expect(await client.isPipelineLoaded('predict')).toBe(true)
    expect(await client.healthCheck()).toEqual({ train_both: true, predict: true })
  })

  it('lists the available pipelines and the versions of a pipeline', async () => {
    const { client } = await open([isOddPipeline(), addOneIsOddPipeline()])
    expect(await client.availablePipelines()).toEqual(['is_odd', 'add_one_is_odd'])
    const versions = await client.pipelineVersions('add_one_is_odd')
    expect([...versions.keys()]).toEqual(['addoneop', 'isoddop'])
    for (const v of versions.values()) expect(v.toString()).toMatch(VERSION_RE)
  })

  it('runs with the runner option (ConcurrentRunner starts independent nodes together)', async () => {
    const log: string[] = []
    const twoBranches = () =>
      new Pipeline(
        [
          new Node(new LogOp(log, 'a'), { inputNodes: [IN], outputNodes: 'a', name: 'a' }),
          new Node(new LogOp(log, 'b'), { inputNodes: [IN], outputNodes: 'b', name: 'b' }),
          new Node(new PairOp(), { inputNodes: ['a', 'b'], outputNodes: OUT }),
        ],
        'branches',
      )
    const concurrent = await open([twoBranches()], { runner: new ConcurrentRunner() })
    expect((await concurrent.client.callPipeline('branches', 1)).value).toEqual([1, 1])
    expect(log).toEqual(['start a', 'start b', 'end a', 'end b'])
    log.length = 0
    const sequential = await open([twoBranches()])
    await sequential.client.callPipeline('branches', 1)
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b'])
  })

  it('calls the defaultPipelineCallbacks around every run', async () => {
    const seen: string[] = []
    class Recorder extends PipelineCallback {
      override beforeExecution(p: Pipeline, args: unknown[]) {
        seen.push(`before ${p.name} ${JSON.stringify(args)}`)
      }
      override afterExecution(p: Pipeline, args: unknown[], output: unknown) {
        seen.push(`after ${p.name} ${JSON.stringify(args)} ${JSON.stringify(output)}`)
      }
    }
    const { client } = await open([isOddPipeline()], { defaultPipelineCallbacks: [new Recorder()] })
    await client.callPipeline('is_odd', 3)
    expect(seen).toEqual(['before is_odd [3]', 'after is_odd [3] true'])
  })

  it('serves under a prefix when mounted in another Hono app', async () => {
    const app = new Chariots([isOddPipeline()], { path: dir.path })
    const root = new Hono()
    root.get('/', (c) => c.text('root'))
    root.route('/api', app)
    const o = await transport.open(root, { basePath: '/api' })
    opened.push(o)
    expect((await o.client.callPipeline('is_odd', 4)).value).toBe(false)
    expect(await o.client.isPipelineLoaded('is_odd')).toBe(true)
    expect(await (await o.raw('/')).text()).toBe('root')
    const missing = await o.raw('/api/pipelines/nope/main', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(missing.status).toBe(404)
    expect((await missing.json()).error.code).toBe('PIPELINE_NOT_FOUND')
  })
})

class LengthOp extends BaseOp {
  static override opName = 'lengthop'
  execute(xs: unknown[]) {
    return xs.length
  }
}

class LogOp extends BaseOp {
  static override opName = 'logop'
  constructor(
    readonly log: string[],
    readonly label: string,
  ) {
    super()
  }
  async execute(x: number) {
    this.log.push(`start ${this.label}`)
    await new Promise((r) => setTimeout(r, 20))
    this.log.push(`end ${this.label}`)
    return x
  }
}

class PairOp extends BaseOp {
  static override opName = 'pairop'
  execute(a: number, b: number) {
    return [a, b]
  }
}
