import type { Pipeline } from '../pipeline/pipeline.js'
import type { NewState, StateStore } from '../store/state-store.js'
import { versionOf } from '../versioning/version-of.js'

/** Options of {@link savePipelineStates}. */
export interface SaveStatesOptions {
  /** Who saves (a job id, a request), kept with each state. */
  savedBy?: string | null
}

/** What a save wrote, by node: the state's save-order number and version. */
export type SavedStates = Record<string, { seq: number; version: string }>

/**
 * Saves the states of the pipeline's ops that changed since they were loaded or saved (trained
 * ops, LoadableOps that called `markStateChanged`), each with its lineage, in one atomic commit of
 * the store. Writes nothing when nothing changed; a prediction pipeline never writes.
 *
 * @example
 * ```ts
 * await runner.run(trainPipeline)
 * const saved = await savePipelineStates(trainPipeline, store) // { pca: { seq: 1, version: '…' }, … }
 * ```
 */
export async function savePipelineStates(
  pipeline: Pipeline,
  store: StateStore,
  options: SaveStatesOptions = {},
): Promise<SavedStates> {
  const changed = pipeline.allNodes().filter((n) => n.loadableOp?.state?.changed)
  if (changed.length === 0) return {}
  const revisions = changed.map((n) => n.loadableOp!.stateRevision)
  const states: NewState[] = []
  for (const node of changed) {
    const op = node.loadableOp!
    const state = op.state!
    states.push({
      node: node.name,
      version: state.version.toString(),
      codeVersion: versionOf(op.constructor).toString(),
      lineage: state.lineage,
      bytes: await op.serialize(),
      pipeline: pipeline.name,
      savedBy: options.savedBy ?? null,
    })
  }
  const records = await store.saveStates(states)
  const saved: SavedStates = {}
  records.forEach((record, i) => {
    const op = changed[i]!.loadableOp!
    saved[record.node] = { seq: record.seq, version: record.version }
    // A state that changed again while it was being written stays marked for the next save.
    if (op.stateRevision === revisions[i] && op.state) {
      op.state.seq = record.seq
      op.state.changed = false
    }
  })
  return saved
}
