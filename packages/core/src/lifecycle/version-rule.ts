import { VersionError } from '../errors/chariots-error.js'
import type { LoadableOp } from '../ops/loadable-op.js'
import type { Node } from '../pipeline/node.js'
import type { Pipeline } from '../pipeline/pipeline.js'
import type { StateRecord } from '../store/state-store.js'
import { Version } from '../versioning/version.js'
import { versionOf } from '../versioning/version-of.js'

/**
 * The version rule, in one place.
 *
 * - Every saved state records the versions of the nodes upstream of it when it was produced (its
 *   lineage; data files by their hash).
 * - A load resolves the nodes from upstream: a node that uses saved state gets the latest state
 *   (store save order) whose code matches its own and whose lineage matches what is resolved
 *   upstream of it. "Matches" compares major versions (minor and patch changes are declared
 *   compatible); lineage entries of nodes that are not upstream of it in this pipeline are not
 *   constrained (a batch pipeline may read another file than the one the model was trained on).
 * - A node that needs saved state and has none for its code is "missing": the pipeline is not
 *   loadable yet. One that has states for its code, none of which fits its upstream, is a
 *   {@link VersionError} naming the node, the upstream, the version it was trained with and the
 *   current one.
 * - At run time, a node holding a loaded state checks its lineage against its upstream's current
 *   versions before it runs (a data file changed since the load, an upstream retrained in the same
 *   pipeline): see {@link checkLineageAtRun}.
 */

/** What resolving a pipeline against the store found. */
export interface Resolution {
  /** The state chosen for each node that loads one. */
  readonly picks: ReadonlyMap<Node, StateRecord>
  /** Nodes that need saved state and have none for their code. */
  readonly missing: readonly MissingState[]
  /** Nodes that use saved state and got none (they keep their fresh state, or are missing). */
  readonly unpicked: readonly string[]
  /** Each node's version once the picks are loaded. */
  readonly versions: ReadonlyMap<Node, Version>
}

/** A node that needs saved state and has none for its code. */
export interface MissingState {
  readonly node: string
  /** How many states the node has for other code (0: never trained). */
  readonly otherCode: number
}

/** What {@link resolvePipeline} needs. */
export interface ResolveOptions {
  /** Each node's saved states, oldest first. */
  statesOf: (node: string) => readonly StateRecord[]
  /** Versions of the nodes upstream of a nested pipeline (its parent's upstream). */
  outer?: ReadonlyMap<string, Version>
  /** Node name → the save-order number of the state to load (a rollback); it must fit the rule. */
  pin?: Readonly<Record<string, number>>
}

/**
 * Chooses, node by node from upstream, the state each node loads. Reads nothing and changes
 * nothing; throws {@link VersionError} when a node's states all conflict with its upstream.
 *
 * @example
 * ```ts
 * const { picks, missing } = resolvePipeline(pipeline, { statesOf: (n) => states.get(n) ?? [] })
 * ```
 */
export function resolvePipeline(pipeline: Pipeline, options: ResolveOptions): Resolution {
  const picks = new Map<Node, StateRecord>()
  const missing: MissingState[] = []
  const unpicked: string[] = []
  const versions = new Map<Node, Version>()
  resolveInto(pipeline, options, options.outer ?? new Map(), { picks, missing, unpicked, versions })
  return { picks, missing, unpicked, versions }
}

function resolveInto(
  pipeline: Pipeline,
  options: ResolveOptions,
  outer: ReadonlyMap<string, Version>,
  out: {
    picks: Map<Node, StateRecord>
    missing: MissingState[]
    unpicked: string[]
    versions: Map<Node, Version>
  },
): void {
  const { nodes } = pipeline
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!
    const upstream = upstreamVersions(pipeline, i, outer, (n) => out.versions.get(n) ?? n.version)
    if (node.pipeline) {
      resolveInto(node.pipeline, options, upstream, out)
      out.versions.set(node, combined(node.pipeline, out.versions))
      continue
    }
    const op = node.loadableOp
    if (!op?.usesSavedState) {
      out.versions.set(node, node.version)
      continue
    }
    const ofCode = options.statesOf(node.name).filter((r) => stateOfCode(op, r))
    const pinned = options.pin?.[node.name]
    const fitting = ofCode.filter(
      (r) => lineageMismatch(r.lineage, upstream) === null && (pinned === undefined || r.seq === pinned),
    )
    const pick = fitting.at(-1)
    if (pick) {
      out.picks.set(node, pick)
      out.versions.set(node, Version.parse(pick.version))
      continue
    }
    out.versions.set(node, node.version)
    out.unpicked.push(node.name)
    if (!op.requiresSavedState) continue
    if (ofCode.length === 0) {
      out.missing.push({ node: node.name, otherCode: options.statesOf(node.name).length })
      continue
    }
    throw incompatible(node, ofCode, upstream, pinned)
  }
}

/** Whether a saved state came from this op's code (its class major, or for old states the rebuilt version). */
export function stateOfCode(op: LoadableOp, record: StateRecord): boolean {
  if (record.codeVersion !== null) {
    return Version.parse(record.codeVersion).major === versionOf(op.constructor).major
  }
  return op.matchesCodeVersion(Version.parse(record.version))
}

/** The first lineage entry whose node is upstream with another major version, or null. */
export function lineageMismatch(
  lineage: Readonly<Record<string, string>>,
  upstream: ReadonlyMap<string, Version>,
): { node: string; trainedWith: string; current: Version } | null {
  for (const name in lineage) {
    const current = upstream.get(name)
    if (current === undefined) continue
    const trainedWith = lineage[name]!
    if (majorOf(trainedWith) !== current.major) return { node: name, trainedWith, current }
  }
  return null
}

/**
 * Versions of the nodes upstream of node `index` (transitively), by name, plus the versions
 * upstream of the pipeline when it is nested.
 */
export function upstreamVersions(
  pipeline: Pipeline,
  index: number,
  outer: ReadonlyMap<string, Version>,
  versionOfNode: (node: Node) => Version = (n) => n.version,
): Map<string, Version> {
  const result = new Map<string, Version>()
  for (const j of pipeline.upstream[index]!) {
    const n = pipeline.nodes[j]!
    result.set(n.name, versionOfNode(n))
  }
  for (const [name, v] of outer) if (!result.has(name)) result.set(name, v)
  return result
}

/**
 * Checks, just before a node runs, that the state it holds was produced on the upstream it now
 * reads: throws {@link VersionError} otherwise. Nodes that train on the run are not checked.
 */
export function checkLineageAtRun(
  pipeline: Pipeline,
  index: number,
  op: LoadableOp,
  outer: ReadonlyMap<string, Version>,
): void {
  const state = op.state
  if (state === null || op.changesStateOnRun) return
  const mismatch = lineageMismatch(state.lineage, upstreamVersions(pipeline, index, outer))
  if (!mismatch) return
  const node = pipeline.nodes[index]!
  throw new VersionError(
    `node '${node.name}' of pipeline '${pipeline.name}' holds a state trained on version ${mismatch.trainedWith} of upstream node '${mismatch.node}', which is now ${mismatch.current}; load the pipeline again (POST /pipelines/${pipeline.name}/load) or retrain '${node.name}'`,
    {
      details: {
        pipeline: pipeline.name,
        downstream: node.name,
        upstream: mismatch.node,
        trainedWith: mismatch.trainedWith,
        current: mismatch.current.toString(),
      },
    },
  )
}

/** The versions each node's saved lineage records: name → version string. */
export function lineageOf(upstream: ReadonlyMap<string, Version>): Record<string, string> {
  const lineage: Record<string, string> = {}
  for (const [name, v] of upstream) lineage[name] = v.toString()
  return lineage
}

function incompatible(
  node: Node,
  ofCode: readonly StateRecord[],
  upstream: ReadonlyMap<string, Version>,
  pinned: number | undefined,
): VersionError {
  const latest = (pinned === undefined ? undefined : ofCode.find((r) => r.seq === pinned)) ?? ofCode.at(-1)!
  const mismatch = lineageMismatch(latest.lineage, upstream)
  if (!mismatch) {
    return new VersionError(
      `node '${node.name}' has no saved state ${pinned}; pick one of ${ofCode.map((r) => r.seq).join(', ')}`,
      { details: { downstream: node.name, pin: pinned } },
    )
  }
  return new VersionError(
    `node '${node.name}' was trained on version ${mismatch.trainedWith} of upstream node '${mismatch.node}', but the current '${mismatch.node}' is ${mismatch.current}, and none of its ${ofCode.length} saved state(s) fits it; retrain and save '${node.name}' on the current '${mismatch.node}'`,
    {
      details: {
        downstream: node.name,
        upstream: mismatch.node,
        trainedWith: mismatch.trainedWith,
        current: mismatch.current.toString(),
        states: ofCode.length,
      },
    },
  )
}

function combined(pipeline: Pipeline, versions: ReadonlyMap<Node, Version>): Version {
  return pipeline.nodes.reduce<Version>(
    (acc, n) => acc.add(versions.get(n) ?? n.version),
    new Version({ creationTime: 0 }),
  )
}

function majorOf(version: string): string {
  return version.slice(0, 40)
}
