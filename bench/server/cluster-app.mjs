// The app module server.bench.mjs serves with `chariots serve cluster-app.mjs --workers 2`: the
// is_odd pipeline, on the store folder CHARIOTS_BENCH_PATH (one for every process).
import { Chariots } from '@chariots/server'
import { isOddPipeline } from '@chariots/testing'

const path = process.env.CHARIOTS_BENCH_PATH
if (!path) throw new Error('set CHARIOTS_BENCH_PATH to the store folder')
export const app = new Chariots([isOddPipeline()], { path })
