import { ChariotsError, ErrorCode, VersionError } from '../errors/chariots-error.js'
import type { LoadableOp } from '../ops/loadable-op.js'
import type { Node } from '../pipeline/node.js'
import type { Pipeline } from '../pipeline/pipeline.js'
import type { StateRecord, StateStore } from '../store/state-store.js'
import { Version } from '../versioning/version.js'
import { type MissingState, type Resolution, resolvePipeline } from './version-rule.js'

/** Options of {@link loadPipelineStates}. */
export interface LoadStatesOptions {
  /** Node name → save-order number of the state to load (a rollback to an earlier set). */
  pin?: Readonly<Record<string, number>>
  /** Runs the swap (a lock that keeps runs of the pipeline out while states change). */
  swap?: (apply: () => Promise<void>) => Promise<void>
}

/** What a load did. */
export interface LoadOutcome {
  /** True when every node that needs saved state has one that fits: the pipeline can serve. */
  loaded: boolean
  /** Nodes that need saved state and have none for their code (then nothing was swapped). */
  missing: readonly MissingState[]
  /** The states the pipeline holds after the load, by node. */
  states: Readonly<Record<string, { seq: number; version: string }>>
}

/**
 * Loads a pipeline's states atomically: resolves every node by the version rule, reads and decodes
 * the bytes of every state that changes, and only then swaps them all in. A refused load (a
 * {@link VersionError}, a missing or corrupt file, a node with no state) changes nothing: what the
 * pipeline held keeps serving. Sets `pipeline.isLoaded` when the load succeeds.
 *
 * @example
 * ```ts
 * const { loaded, missing } = await loadPipelineStates(pipeline, store)
 * ```
 */
export async function loadPipelineStates(
  pipeline: Pipeline,
  store: StateStore,
  options: LoadStatesOptions = {},
): Promise<LoadOutcome> {
  const resolution = await resolveWithStore(pipeline, store, options.pin)
  if (resolution.missing.length > 0) {
    return { loaded: false, missing: resolution.missing, states: heldStates(pipeline) }
  }
  const changes: Array<{ node: Node; op: LoadableOp; record: StateRecord; decoded: unknown }> = []
  for (const [node, record] of resolution.picks) {
    const op = node.loadableOp!
    if (op.state?.seq === record.seq && !op.state.changed) continue
    changes.push({ node, op, record, decoded: await decode(node, op, record, store) })
  }
  if (changes.length > 0) {
    const apply = () => swapIn(changes)
    await (options.swap ? options.swap(apply) : apply())
  }
  pipeline.isLoaded = true
  pipeline.notLoadedReason = null
  return { loaded: true, missing: [], states: heldStates(pipeline) }
}

/**
 * Resolves against each node's newest states first (a small read, whatever the store's history),
 * and against every state only when a node found none there that fits and the store holds older
 * ones (older code came back, a pin to an old state).
 */
async function resolveWithStore(
  pipeline: Pipeline,
  store: StateStore,
  pin: Readonly<Record<string, number>> | undefined,
): Promise<Resolution> {
  const names = [
    ...new Set(
      pipeline
        .allNodes()
        .filter((n) => n.loadableOp?.usesSavedState)
        .map((n) => n.name),
    ),
  ]
  const resolve = (states: ReadonlyMap<string, readonly StateRecord[]>) =>
    resolvePipeline(pipeline, { statesOf: (name) => states.get(name) ?? [], ...(pin ? { pin } : {}) })
  const full = async () =>
    new Map(await Promise.all(names.map(async (n) => [n, await store.listStates(n)] as const)))
  if (!store.recentStates || pin) return resolve(await full())
  const recent = new Map<string, readonly StateRecord[]>()
  const incomplete = new Set<string>()
  for (const name of names) {
    const { states, complete } = await store.recentStates(name)
    recent.set(name, states)
    if (!complete) incomplete.add(name)
  }
  if (incomplete.size === 0) return resolve(recent)
  try {
    const first = resolve(recent)
    if (!first.unpicked.some((n) => incomplete.has(n))) return first
  } catch (err) {
    if (!(err instanceof VersionError)) throw err
  }
  return resolve(await full())
}

async function decode(node: Node, op: LoadableOp, record: StateRecord, store: StateStore): Promise<unknown> {
  const bytes = await store.readState(record)
  try {
    return await op.decodeState(bytes)
  } catch (cause) {
    throw new ChariotsError(
      ErrorCode.SERIALIZATION_ERROR,
      `node '${node.name}' could not read its saved state ${record.seq} ('${record.blob}' in ${store.location}): ${(cause as Error).message}; retrain and save '${node.name}'`,
      { cause, details: { node: node.name, seq: record.seq, path: record.blob } },
    )
  }
}

/**
 * Puts every decoded state in place. Each op's current state is snapshotted first
 * (`snapshotState`) and put back if a later one fails, so the swap is all or nothing.
 */
async function swapIn(changes: Array<{ node: Node; op: LoadableOp; record: StateRecord; decoded: unknown }>) {
  const undo: Array<() => Promise<void>> = []
  try {
    for (const { op, record, decoded } of changes) {
      const before = op.state
      const snapshot = before === null ? null : await op.snapshotState()
      undo.push(async () => {
        if (snapshot !== null) await op.applyState(snapshot)
        op.state = before
      })
      await op.applyState(decoded)
      op.state = {
        version: Version.parse(record.version),
        lineage: record.lineage,
        seq: record.seq,
        changed: false,
      }
    }
  } catch (cause) {
    for (const back of undo.reverse()) await back().catch(() => undefined)
    const failed = changes[undo.length - 1]!
    throw new ChariotsError(
      ErrorCode.SERIALIZATION_ERROR,
      `node '${failed.node.name}' could not load its saved state ${failed.record.seq} ('${failed.record.blob}'): ${(cause as Error).message}; the pipeline keeps the states it had, retrain and save '${failed.node.name}'`,
      { cause, details: { node: failed.node.name, seq: failed.record.seq, path: failed.record.blob } },
    )
  }
}

/** The saved states the pipeline's ops hold now, by node. */
export function heldStates(pipeline: Pipeline): Record<string, { seq: number; version: string }> {
  const held: Record<string, { seq: number; version: string }> = {}
  for (const node of pipeline.allNodes()) {
    const state = node.loadableOp?.state
    if (state && state.seq !== null) held[node.name] = { seq: state.seq, version: state.version.toString() }
  }
  return held
}
