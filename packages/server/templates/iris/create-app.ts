/** Builds the iris app; `app.ts` serves the default one, tests build their own. */
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Chariots, storeFromEnv } from '@chariots/server'
import { type BaseWorkerPool, InProcessWorkerPool } from '@chariots/workers'
import { downloadIris } from './pipelines/download-iris.js'
import { isOdd } from './pipelines/is-odd.js'
import { predIris } from './pipelines/pred-iris.js'
import { trainIris } from './pipelines/train-iris.js'

/** The app's pipelines, fresh instances on each call (tests build several apps). */
export function irisPipelines() {
  return [downloadIris(), trainIris(), trainIris('train_iris_async', true), predIris(), isOdd()]
}

/**
 * The worker pool: BullMQ on Redis when REDIS_URL is set (start workers with `chariots worker
 * app.ts`), else jobs run inside the server process. BullMQ and ioredis are imported only when
 * REDIS_URL asks for them: a server without Redis does not load them at start-up.
 * `CHARIOTS_JOB_LOCK_MS` shortens how long a job of a worker that died stays locked before another
 * worker takes it again (default 30 s).
 */
export async function defaultWorkerPool(redisUrl = process.env.REDIS_URL): Promise<BaseWorkerPool> {
  if (!redisUrl) return new InProcessWorkerPool()
  const { RQWorkerPool } = await import('@chariots/workers-rq-like')
  const lockMs = Number(process.env.CHARIOTS_JOB_LOCK_MS) || undefined
  return new RQWorkerPool({
    connection: redisUrl,
    queueName: 'iris',
    ...(lockMs ? { lockDuration: lockMs, stalledInterval: lockMs } : {}),
  })
}

/**
 * The store folder: CHARIOTS_PATH, else `.chariots-data`. A relative path is read against the
 * folder of this file, not the working directory, so `chariots serve app.ts` in this folder and
 * `chariots serve <project>/app.ts` elsewhere share one store.
 */
export function storePath(path = process.env.CHARIOTS_PATH || '.chariots-data'): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), path)
}

/**
 * Builds the app. The store is the one `CHARIOTS_STORE` names (`postgres://…`, with
 * `CHARIOTS_BLOBS=s3://bucket/prefix` for the bytes in S3: nothing shared on disk between
 * machines), else the folder `path` (see {@link storePath}). `CHARIOTS_AUTO_RELOAD=1` reloads the
 * prediction pipeline on every server when a training job saves.
 */
export async function createApp(
  path = storePath(),
  workerPool: BaseWorkerPool = new InProcessWorkerPool(),
): Promise<Chariots> {
  const stores = await storeFromEnv({ path: storePath(path) })
  return new Chariots(irisPipelines(), { ...stores, workerPool })
}
