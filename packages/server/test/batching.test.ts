// Micro-batching seen from HTTP: a trained model behind a pipeline with `batch`, 64 concurrent
// calls with distinct rows over real sockets on 127.0.0.1. Each caller gets its own rows back, all
// with the versions of the one loaded model, in fewer runs than calls; a bad row fails only its call.
import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { MLMode, MLOp, Node, Pipeline, PipelineCallback, ReservedNodes } from '@chariots/core'
import { serve } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Chariots } from '../src/index.js'
import { tempDir } from './helpers/transports.js'

const { pipelineInput: IN, pipelineOutput: OUT } = ReservedNodes

/** Learns the mean of its rows; predicts each row minus it, and refuses the row 13. Row-wise. */
class MeanRowsOp extends MLOp<number> {
  static override opName = 'mean_rows'
  static override rowWise = true
  initModel() {
    return 0
  }
  fit(rows: number[]) {
    this.model = rows.reduce((a, b) => a + b, 0) / rows.length
  }
  async predict(rows: number[]) {
    await new Promise((r) => setImmediate(r)) // an await, as a real model's predict has
    if (rows.includes(13)) throw new Error('row 13 is refused by this model')
    return rows.map((x) => x - this.model)
  }
}

/** Counts the runs of the prediction pipeline and the rows each run got. */
class CountRuns extends PipelineCallback {
  rowsPerRun: number[] = []
  override beforeExecution(_pipeline: Pipeline, args: unknown[]) {
    this.rowsPerRun.push((args[0] as unknown[]).length)
  }
}

interface Answer {
  status: number
  body: any
}

/** POSTs JSON on a new connection. */
function post(port: number, path: string, body: unknown): Promise<Answer> {
  const text = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        let data = ''
        res.on('data', (d) => (data += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) }))
      },
    )
    req.on('error', reject)
    req.end(text)
  })
}

describe('micro-batching over HTTP', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let server: ReturnType<typeof serve>
  let port: number
  const counter = new CountRuns()

  beforeAll(async () => {
    dir = await tempDir()
    const train = new Pipeline(
      [new Node(new MeanRowsOp(MLMode.FIT), { inputNodes: [IN] })],
      'train_mean_rows',
    )
    const predict = new Pipeline(
      [new Node(new MeanRowsOp(MLMode.PREDICT), { inputNodes: [IN], outputNodes: OUT })],
      'predict_mean_rows',
      { batch: { maxSize: 256, maxDelayMs: 5 }, callbacks: [counter] },
    )
    const app = new Chariots([train, predict], { path: dir.path })
    server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    port = (server.address() as AddressInfo).port
    // Train on 0..100 (mean 50), save, load into the batched prediction pipeline.
    const rows = Array.from({ length: 101 }, (_, i) => i)
    expect((await post(port, '/pipelines/train_mean_rows/main', { pipeline_input: rows })).status).toBe(200)
    expect((await post(port, '/pipelines/train_mean_rows/save', null)).status).toBe(200)
    expect((await post(port, '/pipelines/predict_mean_rows/load', null)).status).toBe(200)
  })
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server?.close(() => resolve())
      ;(server as unknown as { closeAllConnections(): void } | undefined)?.closeAllConnections()
    })
    await dir?.remove()
  })

  it('gives each of 64 concurrent callers its own rows, with the loaded versions, in fewer runs', async () => {
    counter.rowsPerRun = []
    // Distinct inputs of 1 to 3 rows each: caller i sends i*10, i*10+1, …
    const inputs = Array.from({ length: 64 }, (_, i) =>
      Array.from({ length: 1 + (i % 3) }, (_, j) => i * 10 + j + 100),
    )
    const answers = await Promise.all(
      inputs.map((rows) => post(port, '/pipelines/predict_mean_rows/main', { pipeline_input: rows })),
    )
    for (const [i, answer] of answers.entries()) {
      expect(answer.status).toBe(200)
      expect(answer.body.pipeline_output).toEqual(inputs[i]!.map((x) => x - 50))
    }
    const versions = new Set(answers.map((a) => JSON.stringify(a.body.versions)))
    expect(versions.size).toBe(1)
    expect(Object.keys(answers[0]!.body.versions)).toContain('mean_rows')
    // Merged: fewer runs than calls, and every row went through exactly one run.
    expect(counter.rowsPerRun.length).toBeLessThan(64)
    expect(counter.rowsPerRun.reduce((a, b) => a + b, 0)).toBe(inputs.flat().length)
  })

  it('fails only the call whose rows the model refuses; the calls batched with it answer', async () => {
    counter.rowsPerRun = []
    const inputs = Array.from({ length: 32 }, (_, i) => (i === 7 ? [12, 13] : [i + 200]))
    const answers = await Promise.all(
      inputs.map((rows) => post(port, '/pipelines/predict_mean_rows/main', { pipeline_input: rows })),
    )
    for (const [i, answer] of answers.entries()) {
      if (i === 7) {
        expect(answer.status).toBe(500)
        expect(answer.body.error.code).toBe('OP_FAILED')
        expect(answer.body.error.message).toContain('row 13 is refused by this model')
      } else {
        expect({ i, status: answer.status, output: answer.body.pipeline_output }).toEqual({
          i,
          status: 200,
          output: [i + 200 - 50],
        })
      }
    }
    // They ran merged: some run carried the rows of more than one call (the refused call has 2).
    expect(Math.max(...counter.rowsPerRun)).toBeGreaterThan(2)
    // The pipeline still serves afterwards.
    const after = await post(port, '/pipelines/predict_mean_rows/main', { pipeline_input: [60] })
    expect(after.body.pipeline_output).toEqual([10])
  })
})
