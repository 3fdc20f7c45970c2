import { ChariotsError, ErrorCode, type Progress, withProgressReporter } from '@chariots/core'
import type { JobContext, JobResult, WorkerApp } from '../job/job-types.js'
import { withPipelineLock } from './pipeline-lock.js'

/**
 * The one job body every pool runs: reload the store (what other processes saved), load the
 * pipeline, give its data nodes the saver, run it with the app's runner and run options while
 * `op.reportProgress` reaches `ctx.reportProgress`, then save the pipeline (op bytes, links and the
 * store's metadata) when it holds loadable ops, so a training job's models are there for the next
 * load. Runs of the same pipeline object are serialized within a process (see
 * {@link withPipelineLock}).
 *
 * Throws the body's error as is: a ChariotsError keeps its code (`PIPELINE_NOT_FOUND`,
 * `PIPELINE_NOT_LOADED`, `VERSION_INCOMPATIBLE`, …); pools report anything else as `OP_FAILED`.
 *
 * @example
 * ```ts
 * const { value, versions } = await runPipelineJob(app, 'is_odd', 4, { jobId: newJobId(), reportProgress() {} })
 * // value === false, versions === { addoneop: '…', isoddop: '…' }
 * ```
 */
export async function runPipelineJob(
  app: WorkerApp,
  pipelineName: string,
  input: unknown,
  ctx: JobContext,
): Promise<JobResult> {
  if (app.ready) await app.ready().catch(() => undefined) // a failed startup load is retried below
  const pipeline = app.getPipeline(pipelineName)
  const nodes = pipeline.allNodes()
  const loadable = nodes.some((n) => n.loadableOp)
  // Loading reads saved state and checks version links; a pipeline with neither (no loadable op, no
  // op pinned to its upstream versions) would load nothing, so it skips the store's disk reads.
  const usesStore = loadable || nodes.some((n) => n.op?.allowVersionChange === false)
  return withPipelineLock(pipeline, async () => {
    if (usesStore) {
      await app.store.reload()
      await pipeline.load(app.store)
    }
    if (!pipeline.isLoaded) {
      throw new ChariotsError(
        ErrorCode.PIPELINE_NOT_LOADED,
        pipeline.notLoadedReason ??
          `pipeline '${pipeline.name}' is not loaded; train and save its models first`,
      )
    }
    await pipeline.prepare(app.saver)
    const writes: Promise<unknown>[] = []
    const reporter = (progress: Progress): void => {
      const pending = ctx.reportProgress(progress)
      // A lost progress update must not fail the job; it is only a hint for whoever polls.
      if (pending instanceof Promise) {
        writes.push(
          pending.catch((err) => process.emitWarning(`job ${ctx.jobId}: progress not stored: ${err}`)),
        )
      }
    }
    const value = await withProgressReporter(reporter, () => app.runner.run(pipeline, input, app.runOptions))
    await Promise.all(writes)
    if (loadable) await pipeline.save(app.store)
    const versions: Record<string, string> = {}
    for (const [name, version] of pipeline.getPipelineVersions()) versions[name] = version.toString()
    return { value: value === undefined ? null : value, versions }
  })
}
