/** Builds the app; `app.ts` serves the default one, tests build their own. */
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Chariots } from '@chariots/server'
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

/** Builds the app on a store folder (see {@link storePath}). */
export function createApp(
  path = storePath(),
  workerPool: BaseWorkerPool = new InProcessWorkerPool(),
): Chariots {
  return new Chariots([isOdd()], { path: storePath(path), workerPool })
}
