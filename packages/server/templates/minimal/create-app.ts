/** Builds the app; `app.ts` serves the default one, tests build their own. */
import { Chariots } from '@chariots/server'
import { type BaseWorkerPool, InProcessWorkerPool } from '@chariots/workers'
import { isOdd } from './pipelines/is-odd.js'

/** Builds the app on a store folder (CHARIOTS_PATH, default ./.chariots-data). */
export function createApp(
  path = process.env.CHARIOTS_PATH ?? '.chariots-data',
  workerPool: BaseWorkerPool = new InProcessWorkerPool(),
): Chariots {
  return new Chariots([isOdd()], { path, workerPool })
}
