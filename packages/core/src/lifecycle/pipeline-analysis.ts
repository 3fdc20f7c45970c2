import type { Node } from '../pipeline/node.js'
import type { Pipeline } from '../pipeline/pipeline.js'
import { ReservedNodes } from '../pipeline/reserved-nodes.js'
import type { StateRecord } from '../store/state-store.js'
import { Version } from '../versioning/version.js'
import { lineageMismatch, stateOfCode, upstreamVersions } from './version-rule.js'

/** What a node is, for a picture of the pipeline. */
export type NodeKind = 'data' | 'op' | 'model' | 'pipeline'

/**
 * Where a node stands against the store, by the version rule:
 * - `ok`: it loads (or would load now) a saved state that fits its upstream;
 * - `stale`: it has states for its code, none trained on the current upstream;
 * - `missing`: it needs saved state and has none for its code (never trained);
 * - `upstream`: it must be retrained because a node upstream of it is retrained;
 * - `fresh`: it may load saved state, none fits, so it runs with its fresh state;
 * - `trains`: it trains on every run (FIT, FIT_PREDICT);
 * - `data`: it reads or writes a data file;
 * - `plain`: it holds no state.
 */
export type NodeStatus = 'ok' | 'stale' | 'missing' | 'upstream' | 'fresh' | 'trains' | 'data' | 'plain'

/** Statuses that keep a prediction pipeline from loading until something is retrained. */
export const NEEDS_RETRAINING: ReadonlySet<NodeStatus> = new Set(['stale', 'missing', 'upstream'])

/** A saved state trained on another version of an upstream node than the current one. */
export interface StaleLink {
  /** The node whose state is stale. */
  readonly node: string
  /** The upstream node that changed since. */
  readonly upstream: string
  /** The upstream's version the state was trained with. */
  readonly trainedWith: string
  /** The upstream's version now. */
  readonly current: string
}

/** One node of a {@link PipelineAnalysis}. */
export interface NodeAnalysis {
  readonly name: string
  /** The op's name (a nested pipeline's name). */
  readonly op: string
  readonly kind: NodeKind
  readonly status: NodeStatus
  /** The nested pipeline node it belongs to, or null at the top level. */
  readonly parent: string | null
  /** Names of the nodes whose outputs it reads (`__pipeline_input__` included). */
  readonly inputs: readonly string[]
  /** Its version once loaded by the rule (for a stale node: its latest state's). */
  readonly version: string
  /** The version of the saved state it holds now (what serves), or null. */
  readonly serving: string | null
  /** Save order of the state it would load (stale: its latest state), or null. */
  readonly seq: number | null
  /** How many saved states it has for its current code. */
  readonly states: number
  /** The data file it reads or writes, and whether the file exists. */
  readonly file: { readonly path: string; readonly exists: boolean; readonly writes: boolean } | null
  /** The lineage of the state it would load (stale: of its latest state): upstream node → version. */
  readonly lineage: Readonly<Record<string, string>> | null
  /** The lineage entries of its latest state that do not fit the current upstream. */
  readonly stale: readonly StaleLink[]
  /** For `upstream`: the upstream node that is (to be) retrained. */
  readonly because: string | null
}

/** A link between two top-level nodes (or from the pipeline input, or to its output). */
export interface LinkAnalysis {
  readonly from: string
  readonly to: string
  /** `valid`: trained on the current upstream; `stale`: the upstream changed since; `none`: no saved state involved. */
  readonly status: 'valid' | 'stale' | 'none'
  readonly trainedWith: string | null
  readonly current: string | null
}

/** What {@link analyzePipeline} finds: each node's standing, each link's, and whether it loads. */
export interface PipelineAnalysis {
  readonly pipeline: string
  /** Whether a load would pass now (every node that needs saved state has one that fits). */
  readonly loadable: boolean
  readonly nodes: readonly NodeAnalysis[]
  readonly links: readonly LinkAnalysis[]
}

/** What {@link analyzePipeline} needs. */
export interface AnalyzeOptions {
  /** Each node's saved states, oldest first. */
  statesOf: (node: string) => readonly StateRecord[]
  /** Whether a data file exists (saver path such as `/data/iris.csv`); default: every file does. */
  fileExists?: (path: string) => boolean
  /** Node name → the step of a plan that retrains it before this pipeline loads. */
  planned?: ReadonlyMap<string, number>
  /** Data file path → the step of a plan that writes it. */
  plannedFiles?: ReadonlyMap<string, number>
}

interface Walk {
  readonly options: AnalyzeOptions
  readonly nodes: NodeAnalysis[]
  /** Nodes to retrain (stale, missing, upstream), by name. */
  readonly flagged: Set<string>
  /** Per node name: the plan step that changes it (planned retraining, planned file writes). */
  readonly changedAt: Map<string, number>
  readonly versions: Map<Node, Version>
}

/**
 * Analyses a pipeline against the store by the version rule, without loading anything: which
 * state each node would load, which nodes are stale (trained on another upstream), missing (never
 * trained) or downstream of one that must be retrained, and which links are stale. It follows
 * `resolvePipeline` node by node but never throws: where the rule refuses a load, the analysis
 * says why. `planned` lets a planner ask how the pipeline would stand once some nodes are retrained.
 *
 * @example
 * ```ts
 * const { loadable, nodes } = analyzePipeline(pipeline, { statesOf: (n) => states.get(n) ?? [] })
 * nodes.filter((n) => n.status === 'stale') // the nodes to retrain
 * ```
 */
export function analyzePipeline(pipeline: Pipeline, options: AnalyzeOptions): PipelineAnalysis {
  const walk: Walk = {
    options,
    nodes: [],
    flagged: new Set(),
    changedAt: new Map(options.planned ?? []),
    versions: new Map(),
  }
  walkPipeline(pipeline, walk, new Map(), null)
  const loadable = !walk.nodes.some((n) => NEEDS_RETRAINING.has(n.status))
  return { pipeline: pipeline.name, loadable, nodes: walk.nodes, links: linksOf(pipeline, walk.nodes) }
}

function walkPipeline(
  pipeline: Pipeline,
  walk: Walk,
  outer: ReadonlyMap<string, Version>,
  parent: string | null,
): void {
  pipeline.nodes.forEach((node, i) => {
    const upstream = upstreamVersions(pipeline, i, outer, (n) => walk.versions.get(n) ?? n.version)
    const inputs = inputsOf(pipeline, i)
    if (node.pipeline) {
      const before = walk.nodes.length
      walkPipeline(node.pipeline, walk, upstream, node.name)
      const inner = walk.nodes.slice(before)
      const version = node.pipeline.nodes.reduce<Version>(
        (acc, n) => acc.add(walk.versions.get(n) ?? n.version),
        new Version({ creationTime: 0 }),
      )
      walk.versions.set(node, version)
      walk.nodes.splice(before, 0, {
        ...base(node, inputs, parent, version),
        kind: 'pipeline',
        status: worst(inner.map((n) => n.status)),
      })
      return
    }
    walk.nodes.push(analyzeNode(node, walk, upstream, inputs, parent))
  })
}

function analyzeNode(
  node: Node,
  walk: Walk,
  upstream: Map<string, Version>,
  inputs: string[],
  parent: string | null,
): NodeAnalysis {
  const op = node.loadableOp
  const file = fileOf(node, walk.options)
  if (file && !file.writes) {
    const written = walk.options.plannedFiles?.get(file.path)
    if (written !== undefined) walk.changedAt.set(node.name, written)
  }
  if (!op?.usesSavedState) {
    walk.versions.set(node, node.version)
    const status: NodeStatus = file ? 'data' : op?.changesStateOnRun ? 'trains' : 'plain'
    return {
      ...base(node, inputs, parent, node.version),
      kind: file ? 'data' : op ? 'model' : 'op',
      status,
      file,
    }
  }
  const ofCode = walk.options.statesOf(node.name).filter((r) => stateOfCode(op, r))
  const latest = ofCode.at(-1)
  const serving = op.state && op.state.seq !== null ? op.state.version.toString() : null
  const plannedAt = walk.changedAt.get(node.name)
  // An upstream node that changes after this one was (or will be) trained: this one must follow.
  const changedUp = [...upstream.keys()].find((u) => {
    if (walk.flagged.has(u)) return true
    const at = walk.changedAt.get(u)
    return at !== undefined && (plannedAt === undefined || at > plannedAt)
  })
  const stale = latest ? staleLinks(node.name, latest, upstream, walk) : []
  const result = (
    status: NodeStatus,
    version: Version,
    state: StateRecord | undefined,
    because: string | null,
  ): NodeAnalysis => {
    walk.versions.set(node, version)
    if (NEEDS_RETRAINING.has(status)) walk.flagged.add(node.name)
    return {
      ...base(node, inputs, parent, version),
      kind: 'model' as const,
      status,
      serving,
      seq: state?.seq ?? null,
      lineage: state?.lineage ?? null,
      states: ofCode.length,
      stale: status === 'ok' ? [] : stale,
      because,
    }
  }
  if (changedUp === undefined) {
    if (plannedAt !== undefined) return result('ok', node.version, undefined, null)
    const pick = ofCode.filter((r) => lineageMismatch(r.lineage, upstream) === null).at(-1)
    if (pick) return result('ok', Version.parse(pick.version), pick, null)
  }
  const fallback = latest ? Version.parse(latest.version) : node.version
  if (!op.requiresSavedState) return result('fresh', node.version, undefined, null)
  if (stale.length > 0) return result('stale', fallback, latest, null)
  if (ofCode.length === 0) return result('missing', fallback, undefined, changedUp ?? null)
  if (changedUp !== undefined) return result('upstream', fallback, latest, changedUp)
  return result('stale', fallback, latest, null)
}

/** The lineage entries of `state` whose upstream node now has another major version. */
function staleLinks(
  node: string,
  state: StateRecord,
  upstream: ReadonlyMap<string, Version>,
  walk: Walk,
): StaleLink[] {
  const links: StaleLink[] = []
  for (const [name, trainedWith] of Object.entries(state.lineage)) {
    const current = upstream.get(name)
    // An upstream that is itself to be retrained has no current version to compare with yet.
    if (current === undefined || walk.flagged.has(name) || walk.changedAt.has(name)) continue
    if (trainedWith.slice(0, 40) !== current.major) {
      links.push({ node, upstream: name, trainedWith, current: current.toString() })
    }
  }
  return links
}

function base(node: Node, inputs: string[], parent: string | null, version: Version) {
  return {
    name: node.name,
    op: node.pipeline ? node.pipeline.name : (node.op?.name ?? node.name),
    parent,
    inputs,
    version: version.toString(),
    serving: null,
    seq: null,
    lineage: null,
    states: 0,
    file: null,
    stale: [],
    because: null,
  }
}

/** The names of the nodes node `index` reads from, `__pipeline_input__` included. */
function inputsOf(pipeline: Pipeline, index: number): string[] {
  const node = pipeline.nodes[index]!
  const names = pipeline.dependencies[index]!.map((j) => pipeline.nodes[j]!.name)
  return node.inputNodes.includes(ReservedNodes.pipelineInput)
    ? [ReservedNodes.pipelineInput, ...names]
    : names
}

/** The data file a data node reads or writes, with whether it exists. */
function fileOf(node: Node, options: AnalyzeOptions): NodeAnalysis['file'] {
  const op = node.op as { filePath?: unknown; name?: string } | undefined
  if (!op || typeof op.filePath !== 'string') return null
  const writes = op.name === 'datasavingop'
  return { path: op.filePath, exists: options.fileExists?.(op.filePath) ?? true, writes }
}

const SEVERITY: readonly NodeStatus[] = [
  'stale',
  'missing',
  'upstream',
  'fresh',
  'ok',
  'trains',
  'data',
  'plain',
]

function worst(statuses: readonly NodeStatus[]): NodeStatus {
  for (const s of SEVERITY) if (statuses.includes(s)) return s
  return 'plain'
}

/** The links between top-level nodes, each coloured by the lineage of the node it leads to. */
function linksOf(pipeline: Pipeline, nodes: readonly NodeAnalysis[]): LinkAnalysis[] {
  const byName = new Map(nodes.filter((n) => n.parent === null).map((n) => [n.name, n]))
  const links: LinkAnalysis[] = []
  for (const to of byName.values()) {
    for (const from of to.inputs) links.push(linkOf(byName.get(from), from, to))
  }
  for (const node of pipeline.nodes) {
    if (node.outputNodes.includes(ReservedNodes.pipelineOutput)) {
      links.push({
        from: node.name,
        to: ReservedNodes.pipelineOutput,
        status: 'none',
        trainedWith: null,
        current: null,
      })
    }
  }
  return links
}

function linkOf(from: NodeAnalysis | undefined, name: string, to: NodeAnalysis): LinkAnalysis {
  const none = { from: name, to: to.name, status: 'none' as const, trainedWith: null, current: null }
  if (!from || to.kind !== 'model' || !['ok', 'stale', 'upstream'].includes(to.status)) return none
  const stale = to.stale.find((s) => s.upstream === name)
  if (stale)
    return { ...none, status: 'stale' as const, trainedWith: stale.trainedWith, current: stale.current }
  if (to.status !== 'ok' && NEEDS_RETRAINING.has(from.status)) {
    return { ...none, status: 'stale' as const, current: from.version }
  }
  if (to.status === 'upstream' && to.because === name) return { ...none, status: 'stale' as const }
  const trainedWith = to.lineage?.[name]
  if (trainedWith === undefined) return to.status === 'ok' ? { ...none, status: 'valid' as const } : none
  return { ...none, status: 'valid' as const, trainedWith, current: from.version }
}
