/**
 * The BullMQ sandboxed processor file of `RQWorkerPool.startWorkers({ appModule })`: it runs in a
 * worker thread (or a child process), imports the app module named by `CHARIOTS_APP_MODULE` once, and
 * runs each job with `runPipelineJob`. The worker process only holds the BullMQ lock, so a CPU-heavy
 * job body cannot starve lock renewal.
 */
import { isMainThread } from 'node:worker_threads'
import type { PipelineHost } from '@chariots/core'
import { toBullFailure } from '../job/job-failure.js'
import { type BullJobLike, processJob } from '../job/process-job.js'
import { APP_MODULE_ENV } from './app-module-env.js'
import { loadWorkerHost } from './load-worker-host.js'

let host: Promise<PipelineHost> | undefined

// A sandbox child must not outlive its worker process (SIGKILL leaves no chance to kill children):
// when the IPC channel to the parent closes, the job's lock is gone anyway, so stop.
if (isMainThread && typeof process.send === 'function') process.once('disconnect', () => process.exit(1))

export default async function chariotsJobProcessor(job: BullJobLike) {
  host ??= loadWorkerHost(process.env[APP_MODULE_ENV])
  let loaded: PipelineHost
  try {
    loaded = await host
  } catch (err) {
    host = undefined // the next job tries again (the module may have been fixed)
    throw toBullFailure(err)
  }
  return processJob(loaded, job)
}
