/** Builds the app; `app.ts` serves the default one, tests build their own. */
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Chariots, storeFromEnv } from '@chariots/server'
import { type BaseWorkerPool, InProcessWorkerPool } from '@chariots/workers'
import { isOdd } from './pipelines/is-odd.js'

/**
 * The store folder: CHARIOTS_PATH, else `.chariots-data`. A relative path is read against the
 * folder of this file, not the working directory, so the store stays in one place wherever
 * `chariots serve` is started.
 */
export function storePath(path = process.env.CHARIOTS_PATH || '.chariots-data'): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), path)
}

/**
 * Builds the app: on the store `CHARIOTS_STORE` names (`postgres://…`, plus
 * `CHARIOTS_BLOBS=s3://…` for the bytes in S3), else on the folder `path` (see {@link storePath}).
 */
export async function createApp(
  path = storePath(),
  workerPool: BaseWorkerPool = new InProcessWorkerPool(),
): Promise<Chariots> {
  const stores = await storeFromEnv({ path: storePath(path) })
  return new Chariots([isOdd()], { ...stores, workerPool })
}
