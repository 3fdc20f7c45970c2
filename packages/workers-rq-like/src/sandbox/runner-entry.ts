/**
 * The entry of a job thread or child process ({@link SandboxRunner}): imports the app module once
 * (from `workerData` in a thread, `CHARIOTS_APP_MODULE` in a child), then runs each job it is sent
 * with {@link runJobBody}, posting its progress and outcome.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { ErrorCode } from '@chariots/core'
import { toJobError } from '@chariots/workers'
import { runJobBody } from '../job/job-body.js'
import { APP_MODULE_ENV } from './app-module-env.js'
import { loadWorkerHost } from './load-worker-host.js'
import type { RunnerMessage, RunRequest } from './runner-messages.js'

const port = parentPort
const post = (message: RunnerMessage): void => {
  if (port) port.postMessage(message)
  else process.send?.(message)
}
const appModule = port ? (workerData as { appModule: string }).appModule : process.env[APP_MODULE_ENV]
const host = loadWorkerHost(appModule)
host.then(
  () => post({ type: 'ready' }),
  (err) => post({ type: 'init-failed', error: toJobError(err) }),
)

const onRequest = async ({ jobId, data }: RunRequest) => {
  let loaded: Awaited<typeof host>
  try {
    loaded = await host
  } catch (err) {
    post({ type: 'outcome', outcome: { ok: false, error: toJobError(err) } })
    return
  }
  const outcome = await runJobBody(loaded, jobId, data, (progress) => post({ type: 'progress', progress }))
  try {
    post({ type: 'outcome', outcome })
  } catch (err) {
    const message = `the job's result cannot be sent back to the worker process: ${(err as Error).message}`
    post({ type: 'outcome', outcome: { ok: false, error: { code: ErrorCode.INVALID_OUTPUT, message } } })
  }
}

if (port) port.on('message', (request: RunRequest) => void onRequest(request))
else {
  process.on('message', (request: RunRequest) => void onRequest(request))
  // A child must not outlive its worker process (SIGKILL leaves no chance to kill children): when
  // the IPC channel to the parent closes, the job's lock is gone anyway, so stop.
  process.once('disconnect', () => process.exit(1))
}
