import { ChariotsError, ErrorCode, VersionError } from '../errors/chariots-error.js'
import { isSaverAwareOp } from '../pipeline/data-nodes.js'
import type { Pipeline } from '../pipeline/pipeline.js'
import type { BaseSaver } from '../savers/base-saver.js'
import { END_OF_PIPE, type OpStore } from '../store/op-store.js'
import type { Version } from '../versioning/version.js'

/**
 * Saves every loadable op's bytes at its current version and registers each node's version as
 * valid for the nodes downstream of it (`__end_of_pipe__` when none), then persists the metadata.
 */
export async function savePipeline(pipeline: Pipeline, store: OpStore): Promise<void> {
  // Every op's bytes are written before any link is registered: a save that fails half-way (disk
  // full on the second model) leaves no link in the store naming bytes that were never written.
  const links: Array<[downstream: string, upstream: string, version: Version]> = []
  await writePipeline(pipeline, store, links)
  for (const [down, up, version] of links) store.registerValidLink(down, up, version)
  await store.save()
}

async function writePipeline(
  pipeline: Pipeline,
  store: OpStore,
  links: Array<[string, string, Version]>,
): Promise<void> {
  const { nodes, dependents } = pipeline
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!
    if (node.pipeline) await writePipeline(node.pipeline, store, links)
    const op = node.loadableOp
    if (op) await store.saveOpBytes(node.name, node.version, await op.serialize())
    const version = node.version
    const downstream = dependents[i]!
    if (downstream.length === 0) links.push([END_OF_PIPE, node.name, version])
    for (const d of downstream) links.push([nodes[d]!.name, node.name, version])
  }
}

/**
 * Loads, node by node from upstream, the latest saved version of each loadable op that its code
 * still matches, then checks every node that cannot change version (a predictor) against the
 * versions its upstream nodes were validated with. Sets `pipeline.isLoaded`.
 */
export async function loadPipeline(pipeline: Pipeline, store: OpStore): Promise<void> {
  try {
    await readPipeline(pipeline, store)
    const missing = pipeline
      .allNodes()
      .find((n) => n.loadableOp?.requiresSavedState && !n.loadableOp.hasSavedState)
    pipeline.isLoaded = !missing
    pipeline.notLoadedReason = missing
      ? `node '${missing.name}' of pipeline '${pipeline.name}' needs saved state (a trained model) and none was saved for its code version; run and save the training pipeline first`
      : null
  } catch (err) {
    pipeline.isLoaded = false
    pipeline.notLoadedReason = (err as Error).message
    throw err
  }
}

async function readPipeline(pipeline: Pipeline, store: OpStore): Promise<void> {
  const { nodes, dependencies } = pipeline
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!
    if (node.pipeline) await readPipeline(node.pipeline, store)
    const op = node.loadableOp
    if (op) {
      const candidates = store.getAllVersionsOfOp(node.name).filter((v) => op.matchesCodeVersion(v))
      const latest = candidates.at(-1)
      if (latest) {
        const bytes = await store.getOpBytesForVersion(node.name, latest)
        try {
          await op.load(bytes)
        } catch (cause) {
          throw new ChariotsError(
            ErrorCode.SERIALIZATION_ERROR,
            `node '${node.name}' could not load its saved state ${latest}: ${(cause as Error).message}`,
            { cause },
          )
        }
        op.hasSavedState = true
      }
    }
    if (node.op?.allowVersionChange !== false) continue
    for (const d of dependencies[i]!) {
      const upstream = nodes[d]!
      const validated = store.getValidatedLinks(node.name, upstream.name)
      const current = upstream.version
      if (validated.length > 0 && !validated.some((v) => v.major === current.major)) {
        throw new VersionError(
          `node '${node.name}' was saved with versions [${validated.map(String).join(', ')}] of upstream node '${upstream.name}', none of which has its current major version ${current}; retrain and save '${node.name}' on the current '${upstream.name}'`,
          { details: { downstream: node.name, upstream: upstream.name, current: current.toString() } },
        )
      }
    }
  }
}

/** Gives every data node (also in nested pipelines) the saver it reads and writes through. */
export async function preparePipeline(pipeline: Pipeline, saver: BaseSaver): Promise<void> {
  for (const node of pipeline.allNodes()) {
    const op = node.op
    if (op && isSaverAwareOp(op)) await op.prepare(saver)
  }
}
