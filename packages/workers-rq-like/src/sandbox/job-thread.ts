/**
 * The entry of the worker threads of {@link JobThreadPool}: imports the app module once, then runs
 * each job it is sent with `runPipelineJob`, several at a time, posting progress and the outcome.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { runPipelineJob, toJobError } from '@chariots/workers'
import type { ThreadRequest, ThreadResponse } from './job-thread-messages.js'
import { loadWorkerHost } from './load-worker-host.js'

const port = parentPort!
const post = (message: ThreadResponse): void => {
  port.postMessage(message)
}
const host = loadWorkerHost((workerData as { appModule: string }).appModule)

host.then(
  () => post({ type: 'ready' }),
  (err) => post({ type: 'init-failed', error: toJobError(err) }),
)

port.on('message', async ({ id, jobId, data }: ThreadRequest) => {
  try {
    const result = await runPipelineJob(await host, data.pipelineName, data.input, {
      jobId,
      reportProgress: (progress) => post({ type: 'progress', id, progress }),
    })
    post({ type: 'done', id, result })
  } catch (err) {
    post({ type: 'failed', id, error: toJobError(err) })
  }
})
