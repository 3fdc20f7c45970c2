import type { Node } from '../pipeline/node.js'
import type { Pipeline } from '../pipeline/pipeline.js'
import { ReservedNodes } from '../pipeline/reserved-nodes.js'
import { versionOf } from '../versioning/version-of.js'
import {
  type AnalyzeOptions,
  analyzePipeline,
  NEEDS_RETRAINING,
  type NodeAnalysis,
  type PipelineAnalysis,
  type StaleLink,
} from './pipeline-analysis.js'

/** One pipeline to run (and save) in a {@link RetrainPlan}. */
export interface PlanStep {
  readonly pipeline: string
  /** `train`: it trains nodes; `data`: it writes a data file a later step reads. */
  readonly kind: 'train' | 'data'
  /** The nodes it trains. */
  readonly trains: readonly string[]
  /** The data files it writes. */
  readonly writes: readonly string[]
  /** Why it is in the plan. */
  readonly reason: string
  /** Whether it reads the pipeline input (then running the plan needs one for it). */
  readonly needsInput: boolean
}

/** What it takes to make a pipeline loadable. */
export interface RetrainPlan {
  readonly pipeline: string
  /** Whether a load would pass now. */
  readonly loadable: boolean
  /** Saved states trained on another version of an upstream node than the current one. */
  readonly stale: readonly StaleLink[]
  /** Nodes that need saved state and have none for their code, with the pipelines that train them. */
  readonly missing: readonly { readonly node: string; readonly trainers: readonly string[] }[]
  /** The training pipelines to run and save, in order (the `train` steps). */
  readonly retrain: readonly string[]
  /** Every pipeline to run, in order: training steps, and the data steps they need first. */
  readonly steps: readonly PlanStep[]
  /** Nodes the app cannot retrain (no pipeline trains them), with why; empty when the plan is complete. */
  readonly unplannable: readonly { readonly node: string; readonly reason: string }[]
}

/** What {@link planRetraining} needs: the app's pipelines and the store's states. */
export interface PlanOptions extends Omit<AnalyzeOptions, 'planned' | 'plannedFiles'> {
  /** Every pipeline of the app: the candidates to run. */
  pipelines: readonly Pipeline[]
}

interface Planning {
  readonly options: PlanOptions
  readonly steps: PlanStep[]
  readonly planned: Map<string, number>
  readonly plannedFiles: Map<string, number>
  readonly unplannable: { node: string; reason: string }[]
  readonly visiting: Set<string>
}

const MAX_ROUNDS = 50

/**
 * The minimal, ordered list of the app's training pipelines whose run and save make `target`
 * loadable. A training pipeline of a node is one with a node of that name whose op trains (FIT,
 * FIT_PREDICT) and has the same code. The planner takes the most upstream node that needs
 * retraining, picks the pipeline that retrains most of what needs it (and least of what does not),
 * plans what that pipeline itself needs first (the saved states it loads, a data file that does
 * not exist yet and another pipeline writes), and repeats until the rule would pass: retraining a
 * node makes every node trained on it stale, so those follow. Reads nothing: give it the states.
 *
 * @example
 * ```ts
 * const plan = planRetraining(predict, { pipelines: app, statesOf: (n) => states.get(n) ?? [] })
 * plan.retrain // ['train_pca', 'train_classifier']
 * ```
 */
export function planRetraining(target: Pipeline, options: PlanOptions): RetrainPlan {
  const first = analyzePipeline(target, options)
  const planning: Planning = {
    options,
    steps: [],
    planned: new Map(),
    plannedFiles: new Map(),
    unplannable: [],
    visiting: new Set([target.name]),
  }
  if (!first.loadable) ensureLoadable(target, planning)
  return {
    pipeline: target.name,
    loadable: first.loadable,
    stale: first.nodes.flatMap((n) => n.stale),
    missing: first.nodes
      .filter((n) => n.status === 'missing')
      .map((n) => ({ node: n.name, trainers: trainersOf(options.pipelines, nodeOf(target, n.name)!) })),
    retrain: planning.steps.filter((s) => s.kind === 'train').map((s) => s.pipeline),
    steps: planning.steps,
    unplannable: planning.unplannable,
  }
}

/**
 * The pipelines of `pipelines` that train `node`: a node of the same name whose op trains on its
 * runs (and needs no saved state to run) and has the same code version.
 *
 * @example
 * ```ts
 * trainersOf(app, predict.node('pca')!).map((p) => p.name) // ['train_pca']
 * ```
 */
export function trainersOf(pipelines: readonly Pipeline[], node: Node): string[] {
  const code = node.loadableOp && versionOf(node.loadableOp.constructor).major
  return pipelines
    .filter((p) =>
      p.allNodes().some((n) => {
        const op = n.loadableOp
        return (
          n.name === node.name &&
          op !== undefined &&
          op.changesStateOnRun &&
          !op.requiresSavedState &&
          versionOf(op.constructor).major === code
        )
      }),
    )
    .map((p) => p.name)
}

function ensureLoadable(pipeline: Pipeline, planning: Planning): void {
  const blocked = new Set<string>()
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const analysis = analyzePipeline(pipeline, {
      ...planning.options,
      planned: planning.planned,
      plannedFiles: planning.plannedFiles,
    })
    const need = analysis.nodes.filter((n) => NEEDS_RETRAINING.has(n.status) && !blocked.has(n.name))
    const next = need[0]
    if (!next) return
    const candidates = trainersOf(planning.options.pipelines, nodeOf(pipeline, next.name)!).filter(
      (name) => !planning.visiting.has(name),
    )
    if (candidates.length === 0) {
      blocked.add(next.name)
      planning.unplannable.push({
        node: next.name,
        reason: `no other pipeline of the app trains '${next.name}' with its current code; add a training pipeline with a FIT node named '${next.name}'`,
      })
      continue
    }
    const chosen = choose(candidates, need, analysis, planning.options.pipelines)
    planning.visiting.add(chosen.name)
    writeMissingFiles(chosen, planning)
    ensureLoadable(chosen, planning)
    planning.visiting.delete(chosen.name)
    const trains = trainedBy(chosen)
    planning.steps.push({
      pipeline: chosen.name,
      kind: 'train',
      trains,
      writes: writtenBy(chosen),
      reason: reasonFor(need.filter((n) => trains.includes(n.name))),
      needsInput: readsInput(chosen),
    })
    for (const name of trains) planning.planned.set(name, planning.steps.length - 1)
  }
  planning.unplannable.push({
    node: pipeline.name,
    reason: `no plan found in ${MAX_ROUNDS} steps: the app's training pipelines retrain each other's upstream; give each model its own training pipeline`,
  })
}

/** Puts a data step before `pipeline` for each file it reads that is missing and another pipeline writes. */
function writeMissingFiles(pipeline: Pipeline, planning: Planning): void {
  const exists = planning.options.fileExists ?? (() => true)
  for (const node of pipeline.allNodes()) {
    const path = readPath(node)
    if (path === null || exists(path) || planning.plannedFiles.has(path)) continue
    const writers = planning.options.pipelines.filter(
      (p) => !planning.visiting.has(p.name) && writtenBy(p).includes(path),
    )
    const writer = writers.find((p) => !readsInput(p)) ?? writers[0]
    if (!writer) {
      planning.unplannable.push({
        node: node.name,
        reason: `'${pipeline.name}' reads '${path}', which does not exist and no pipeline of the app writes; put the file there`,
      })
      continue
    }
    planning.visiting.add(writer.name)
    ensureLoadable(writer, planning)
    planning.visiting.delete(writer.name)
    planning.steps.push({
      pipeline: writer.name,
      kind: 'data',
      trains: trainedBy(writer),
      writes: writtenBy(writer),
      reason: `'${pipeline.name}' reads '${path}', which does not exist yet`,
      needsInput: readsInput(writer),
    })
    planning.plannedFiles.set(path, planning.steps.length - 1)
  }
}

/** The candidate that retrains most of `need`, then least of the rest of the pipeline, then needs no input. */
function choose(
  candidates: readonly string[],
  need: readonly NodeAnalysis[],
  analysis: PipelineAnalysis,
  pipelines: readonly Pipeline[],
): Pipeline {
  const needed = new Set(need.map((n) => n.name))
  const inPipeline = new Set(analysis.nodes.map((n) => n.name))
  const scored = candidates.map((name, order) => {
    const p = pipelines.find((x) => x.name === name)!
    const trains = trainedBy(p)
    return {
      p,
      covers: trains.filter((t) => needed.has(t)).length,
      extra: trains.filter((t) => inPipeline.has(t) && !needed.has(t)).length,
      input: readsInput(p) ? 1 : 0,
      order,
    }
  })
  scored.sort((a, b) => b.covers - a.covers || a.extra - b.extra || a.input - b.input || a.order - b.order)
  return scored[0]!.p
}

function reasonFor(nodes: readonly NodeAnalysis[]): string {
  return nodes
    .map((n) => {
      if (n.status === 'missing') return `'${n.name}' has no saved state yet`
      const link = n.stale[0]
      if (link) {
        return `'${n.name}' was trained on '${link.upstream}' ${short(link.trainedWith)}, which is now ${short(link.current)}`
      }
      return `'${n.name}' must be retrained after its upstream '${n.because ?? '?'}'`
    })
    .join('; ')
}

function short(version: string): string {
  return version.slice(0, 8)
}

function nodeOf(pipeline: Pipeline, name: string): Node | undefined {
  return pipeline.allNodes().find((n) => n.name === name)
}

function trainedBy(pipeline: Pipeline): string[] {
  return pipeline
    .allNodes()
    .filter((n) => n.loadableOp?.changesStateOnRun && !n.loadableOp.requiresSavedState)
    .map((n) => n.name)
}

function readPath(node: Node): string | null {
  const op = node.op as { filePath?: unknown; name?: string } | undefined
  return op && typeof op.filePath === 'string' && op.name === 'dataloadingop' ? op.filePath : null
}

function writtenBy(pipeline: Pipeline): string[] {
  return pipeline.allNodes().flatMap((n) => {
    const op = n.op as { filePath?: unknown; name?: string } | undefined
    return op && typeof op.filePath === 'string' && op.name === 'datasavingop' ? [op.filePath] : []
  })
}

function readsInput(pipeline: Pipeline): boolean {
  return pipeline.nodes.some((n) => n.inputNodes.includes(ReservedNodes.pipelineInput))
}
