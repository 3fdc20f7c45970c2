// Child process of server.bench.mjs: the Chariots app serving `is_odd` and the iris prediction
// pipeline on 127.0.0.1 and a free port. Prints one JSON line {"port": n} once listening.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Chariots } from '@chariots/server'
import { isOddPipeline, TestClient } from '@chariots/testing'
import { serve } from '@hono/node-server'
import { irisPredictionPipeline, irisTrainingPipeline } from '../iris-ops.mjs'

// --- iris: the prediction pipeline `pred_iris` (PCA then logistic regression), trained and saved
// --- here before serving; TARGETS in server.bench.mjs measures POST /pipelines/pred_iris/main.
const pipelines = [
  isOddPipeline(),
  irisTrainingPipeline('train_iris'),
  irisPredictionPipeline('pred_iris'),
  irisPredictionPipeline('pred_iris_batched', { batch: { maxSize: 256 } }),
]
const app = new Chariots(pipelines, { path: mkdtempSync(join(tmpdir(), 'chariots-bench-')) })
await app.ready()
const trainer = new TestClient(app)
await trainer.callPipeline('train_iris')
await trainer.savePipeline('train_iris')
await trainer.loadPipeline('pred_iris')
await trainer.loadPipeline('pred_iris_batched')

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  console.log(JSON.stringify({ port: info.port }))
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
