import type { ZodType } from 'zod'
import type { PipelineCallback } from '../callbacks/pipeline-callback.js'
import { ChariotsError, ErrorCode, type ErrorCodeName } from '../errors/chariots-error.js'
import { type LoadOutcome, type LoadStatesOptions, loadPipelineStates } from '../lifecycle/load-states.js'
import { notLoadedReason } from '../lifecycle/not-loaded-reason.js'
import { type SavedStates, type SaveStatesOptions, savePipelineStates } from '../lifecycle/save-states.js'
import type { BaseSaver } from '../savers/base-saver.js'
import type { StateStore } from '../store/state-store.js'
import { Version } from '../versioning/version.js'
import { isSaverAwareOp } from './data-nodes.js'
import type { Node } from './node.js'
import { nameProblem, ReservedNodes } from './reserved-nodes.js'

/** How concurrent calls of a pipeline are merged into one run (see {@link PipelineOptions.batch}). */
export interface BatchOptions {
  /** The most rows one run takes (default 256). */
  maxSize?: number
  /** How long a call may wait for others to join it, in ms (default 0: only calls that arrive while a run is in flight are merged). */
  maxDelayMs?: number
}

/** Options of a {@link Pipeline}. */
export interface PipelineOptions {
  /**
   * Merge concurrent calls into one run when every op is row-wise (`static rowWise = true`) and the
   * input is an array of rows: each caller gets its own rows back, with the same versions; a run
   * that fails is run again call by call, so an error reaches only the call whose rows caused it.
   */
  batch?: BatchOptions
  callbacks?: PipelineCallback[]
  /** Run every call of this pipeline in a worker; `false`, `null` and unset mean "not asked". */
  useWorker?: boolean | null
  /** Zod schema the pipeline input must match (checked before running). */
  input?: ZodType
  /** Zod schema of the pipeline output (checked after running, described in OpenAPI). */
  output?: ZodType
  /** Largest request body, in bytes, of this pipeline's HTTP routes (the server's default is 1 MB). */
  bodyLimit?: number
}

/**
 * A DAG of nodes with a name. The graph is checked when it is built; every error names the node.
 *
 * @example
 * ```ts
 * const isOdd = new Pipeline([
 *   new Node(new AddOneOp(), { inputNodes: ['__pipeline_input__'], outputNodes: 'added' }),
 *   new Node(new IsOddOp(), { inputNodes: ['added'], outputNodes: '__pipeline_output__' }),
 * ], 'is_odd')
 * await new SequentialRunner().run(isOdd, 4) // false
 * ```
 */
export class Pipeline {
  readonly isPipeline = true
  readonly name: string
  readonly nodes: readonly Node[]
  readonly callbacks: PipelineCallback[]
  readonly useWorker: boolean
  readonly inputSchema: ZodType | undefined
  readonly outputSchema: ZodType | undefined
  /** How concurrent calls are merged into one run, when asked for. */
  readonly batch: Readonly<Required<BatchOptions>> | undefined
  /** Largest request body of this pipeline's HTTP routes, in bytes (unset: the server's default). */
  readonly bodyLimit: number | undefined
  /** For each node (by index), the indexes of the earlier nodes whose outputs it reads. */
  readonly dependencies: readonly (readonly number[])[]
  /** For each node (by index), the indexes of the later nodes that read its outputs. */
  readonly dependents: readonly (readonly number[])[]
  /**
   * Whether the pipeline can serve: a training pipeline from the start, a prediction pipeline once
   * a consistent set of its states was loaded (a later refused load does not change it).
   */
  isLoaded: boolean
  /** Why the pipeline is not loaded, when it is not. */
  notLoadedReason: string | null = null
  private cone: number[][] | undefined

  constructor(nodes: readonly Node[], name: string, options: PipelineOptions = {}) {
    const problem = nameProblem(name)
    if (problem)
      throw new ChariotsError(
        ErrorCode.INVALID_GRAPH,
        `pipeline name '${String(name).slice(0, 100)}' is not valid: ${problem}`,
      )
    this.name = name
    this.nodes = [...nodes]
    this.callbacks = options.callbacks ?? []
    this.useWorker = options.useWorker === true
    this.inputSchema = options.input
    this.outputSchema = options.output
    this.batch = options.batch ? batchOptions(options.batch, name) : undefined
    this.bodyLimit = options.bodyLimit
    const { dependencies, dependents } = checkGraph(this.nodes, name)
    this.dependencies = dependencies
    this.dependents = dependents
    this.isLoaded = !this.allNodes().some((n) => n.loadableOp?.requiresSavedState)
    if (!this.isLoaded) this.notLoadedReason = `pipeline '${name}' has not been loaded from a store yet`
  }

  /** Every node, nested pipelines' nodes included (depth first). */
  allNodes(): Node[] {
    return this.nodes.flatMap((n) => (n.pipeline ? [n, ...n.pipeline.allNodes()] : [n]))
  }

  /** The node of that name (top level), if any. */
  node(name: string): Node | undefined {
    return this.nodes.find((n) => n.name === name)
  }

  /** Each node's name and current version. */
  getPipelineVersions(): Map<string, Version> {
    return new Map(this.nodes.map((n) => [n.name, n.version]))
  }

  /** The combination of every node's version (what a node wrapping this pipeline reports). */
  get version(): Version {
    return this.nodes.reduce<Version>((acc, n) => acc.add(n.version), new Version({ creationTime: 0 }))
  }

  /**
   * For each node (by index), the indexes of every node upstream of it, nearest first: what its
   * state's lineage records.
   */
  get upstream(): readonly (readonly number[])[] {
    if (!this.cone) {
      const cone: number[][] = []
      for (let i = 0; i < this.nodes.length; i++) {
        const seen = new Set<number>()
        for (const d of this.dependencies[i]!) {
          seen.add(d)
          for (const u of cone[d]!) seen.add(u)
        }
        cone.push([...seen])
      }
      this.cone = cone
    }
    return this.cone
  }

  /**
   * Loads, by the version rule, the latest saved state of each node that fits what is upstream of
   * it, atomically (a refused load changes nothing). Throws `VersionError` when a node's saved
   * states were all trained on another upstream; answers `loaded: false` (and sets
   * `notLoadedReason`) when a node needing saved state has none yet.
   */
  async load(store: StateStore, options: LoadStatesOptions = {}): Promise<LoadOutcome> {
    const outcome = await loadPipelineStates(this, store, options)
    if (!outcome.loaded && !this.isLoaded) this.notLoadedReason = notLoadedReason(this, outcome.missing)
    return outcome
  }

  /** Saves the states that changed (trained ops), each with its lineage, in one commit. */
  save(store: StateStore, options: SaveStatesOptions = {}): Promise<SavedStates> {
    return savePipelineStates(this, store, options)
  }

  /** Gives the data nodes the saver they read and write through (and reads their files' hashes). */
  async prepare(saver: BaseSaver): Promise<void> {
    for (const node of this.allNodes()) {
      const op = node.op
      if (op && isSaverAwareOp(op)) await op.prepare(saver)
    }
  }

  /** Validates the input against the pipeline's schema (returns the parsed value). */
  parseInput(input: unknown): unknown {
    return this.inputSchema
      ? parseWith(this.inputSchema, input, `pipeline '${this.name}' input`, ErrorCode.INVALID_INPUT)
      : input
  }

  /** Validates the output against the pipeline's schema. */
  parseOutput(output: unknown): unknown {
    return this.outputSchema
      ? parseWith(this.outputSchema, output, `pipeline '${this.name}' output`, ErrorCode.INVALID_OUTPUT)
      : output
  }
}

function batchOptions(options: BatchOptions, name: string): Required<BatchOptions> {
  const maxSize = options.maxSize ?? 256
  const maxDelayMs = options.maxDelayMs ?? 0
  if (!Number.isInteger(maxSize) || maxSize < 1 || !(maxDelayMs >= 0 && maxDelayMs <= 10_000)) {
    throw new ChariotsError(
      ErrorCode.INVALID_INPUT,
      `pipeline '${name}': batch.maxSize must be a whole number of rows (1 or more) and batch.maxDelayMs 0 to 10000 ms`,
    )
  }
  return { maxSize, maxDelayMs }
}

function parseWith(schema: ZodType, value: unknown, what: string, code: ErrorCodeName): unknown {
  const r = schema.safeParse(value)
  if (r.success) return r.data
  const issues = r.error.issues.map((i) => ({ path: i.path.map(String), message: i.message }))
  const text = issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.map((p) => `[${p}]`).join('') : '(root)'}: ${i.message}`)
    .join('; ')
  throw new ChariotsError(code, `${what} does not match its schema: ${text}`, { details: { issues } })
}

function checkGraph(nodes: readonly Node[], pipelineName: string) {
  const fail = (msg: string): never => {
    throw new ChariotsError(ErrorCode.INVALID_GRAPH, `pipeline '${pipelineName}': ${msg}`)
  }
  const seenNodes = new Set<Node>()
  const names = new Set<string>()
  const producer = new Map<string, number>([[ReservedNodes.pipelineInput, -1]])
  const consumed = new Set<string>()
  const dependencies: number[][] = []
  const dependents: number[][] = nodes.map(() => [])
  nodes.forEach((node, i) => {
    if (seenNodes.has(node))
      fail(`node '${node.name}' is used twice; create a second Node for the second use`)
    seenNodes.add(node)
    if (names.has(node.name)) {
      fail(`two nodes are named '${node.name}'; give one a distinct name with new Node(op, { name: '...' })`)
    }
    names.add(node.name)
    const deps = new Set<number>()
    for (const input of node.inputNodes) {
      if (input === ReservedNodes.pipelineOutput)
        fail(`node '${node.name}' cannot take '${input}' as an input`)
      const from = producer.get(input)
      if (from === undefined) {
        fail(`node '${node.name}' needs input '${input}', which no earlier node produces`)
      } else if (from >= 0) {
        deps.add(from)
      }
      consumed.add(input)
    }
    dependencies.push([...deps])
    for (const d of deps) dependents[d]!.push(i)
    for (const out of node.outputNodes) {
      if (producer.has(out)) {
        const other = producer.get(out)!
        const implicit = node.hasImplicitOutput || (other >= 0 && nodes[other]!.hasImplicitOutput)
        fail(
          `node '${node.name}' outputs '${out}', which ${other < 0 ? 'is the pipeline input' : `node '${nodes[other]!.name}' already produces`}${implicit ? ' (a node given no outputNodes outputs under its own name: give it outputNodes or another name)' : ''}`,
        )
      }
      producer.set(out, i)
    }
  })
  for (const [out, i] of producer) {
    // A node given no outputNodes may leave its own-name output unread (a training or saving node).
    const implicit = i >= 0 && nodes[i]!.hasImplicitOutput
    if (i >= 0 && !implicit && out !== ReservedNodes.pipelineOutput && !consumed.has(out)) {
      fail(
        `node '${nodes[i]!.name}' outputs '${out}', which no later node uses and is not '${ReservedNodes.pipelineOutput}'`,
      )
    }
  }
  return { dependencies, dependents }
}
