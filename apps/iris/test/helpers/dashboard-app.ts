// The iris app for the dashboard and planner tests: its pipelines plus `train_pca`, which retrains
// the PCA alone (what makes the forest's link stale), served over real HTTP on a free loopback port.
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CSVSerializer, DataLoadingNode, MLMode, Node, Pipeline } from '@chariots/core'
import { Chariots, type ChariotsOptions } from '@chariots/server'
import { InProcessWorkerPool } from '@chariots/workers'
import { serve } from '@hono/node-server'
import { irisPipelines } from '../../create-app.js'
import { IrisPCAOp } from '../../ops/iris-pca-op.js'
import { XYSplitOp } from '../../ops/xy-split-op.js'

/** Fits the PCA alone on `/data/iris.csv` (the forest is not retrained). */
export function trainPca(): Pipeline {
  return new Pipeline(
    [
      new DataLoadingNode({ serializer: new CSVSerializer(), path: 'iris.csv', outputNodes: 'rows' }),
      new Node(new XYSplitOp(), { inputNodes: ['rows'], outputNodes: ['X', 'y'] }),
      new Node(new IrisPCAOp(MLMode.FIT), { inputNodes: ['X', 'y'] }),
    ],
    'train_pca',
  )
}

/** A served iris app: its base URL, the app, and `close()` (server, app and store folder). */
export interface ServedIris {
  url: string
  app: Chariots
  close(): Promise<void>
}

/** Serves the iris pipelines and `train_pca` with an in-process worker pool on 127.0.0.1. */
export async function serveIris(options: Partial<ChariotsOptions> = {}): Promise<ServedIris> {
  const dir = await mkdtemp(join(tmpdir(), 'iris-dashboard-'))
  const app = new Chariots([...irisPipelines(), trainPca()], {
    path: dir,
    workerPool: new InProcessWorkerPool(),
    ...options,
  })
  await app.ready()
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    app,
    async close() {
      app.endEventStreams()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        ;(server as unknown as { closeAllConnections(): void }).closeAllConnections()
      })
      await app.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
