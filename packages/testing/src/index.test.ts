import { describe, expect, it } from 'vitest'
import * as api from './index.js'

describe('@chariots/testing', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "AddOneOp",
        "CounterOp",
        "FailingOp",
        "IrisFullDatasetOp",
        "IrisXDatasetOp",
        "IsOddOp",
        "LogisticOp",
        "PCAOp",
        "ProgressOp",
        "RQWorkerContext",
        "RandomForestOp",
        "RangeOp",
        "SlowOp",
        "TestClient",
        "WorkerContext",
        "addOneIsOddPipeline",
        "counterPipeline",
        "failingPipeline",
        "irisPredictionPipeline",
        "irisTrainingPipeline",
        "isOddPipeline",
        "pingRedis",
        "progressPipeline",
        "rangePipeline",
        "slowPipeline",
        "startRedis",
      ]
    `)
  })
})
