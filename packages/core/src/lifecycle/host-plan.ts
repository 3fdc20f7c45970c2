import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import type { StateRecord } from '../store/state-store.js'
import { analyzePipeline, type PipelineAnalysis } from './pipeline-analysis.js'
import type { LoadResult, PipelineHost } from './pipeline-host.js'
import { planRetraining, type RetrainPlan } from './retrain-plan.js'

/** What the planner reads from a host: each node's states and which data files exist, read now. */
interface Snapshot {
  statesOf: (node: string) => readonly StateRecord[]
  fileExists: (path: string) => boolean
}

/**
 * Reads what a plan or an analysis needs, fresh: reloads the store (other processes' saves),
 * prepares every pipeline (the data files' current hashes), then lists the states of every node
 * that loads or trains one, and checks which data files exist.
 */
async function snapshot(host: PipelineHost, target: string): Promise<Snapshot> {
  const pipelines = [...host.pipelines.values()]
  const nodes = pipelines.flatMap((p) => p.allNodes())
  const names = [...new Set(nodes.filter((n) => n.loadableOp).map((n) => n.name))]
  if (names.length > 0) await host.store.reload()
  await host.getPipeline(target).prepare(host.saver)
  // Another pipeline whose data file cannot be read (a path leaving the root) is not this plan's
  // problem: it keeps the hash it had, and its own load reports it.
  for (const p of pipelines) if (p.name !== target) await p.prepare(host.saver).catch(() => undefined)
  const states = new Map<string, readonly StateRecord[]>()
  for (const name of names) states.set(name, await host.store.listStates(name))
  const paths = new Set<string>()
  for (const n of nodes) {
    const path = (n.op as { filePath?: unknown } | undefined)?.filePath
    if (typeof path === 'string') paths.add(path)
  }
  const existing = new Set<string>()
  for (const path of paths) if (await host.saver.exists(path).catch(() => false)) existing.add(path)
  return { statesOf: (n) => states.get(n) ?? [], fileExists: (p) => existing.has(p) }
}

/** {@link PipelineHost.plan}: the retrain plan of one pipeline against the store as it is now. */
export async function planOnHost(host: PipelineHost, name: string): Promise<RetrainPlan> {
  const target = host.getPipeline(name)
  const snap = await snapshot(host, name)
  return planRetraining(target, { ...snap, pipelines: [...host.pipelines.values()] })
}

/** {@link PipelineHost.analyze}: each node's and link's standing against the store as it is now. */
export async function analyzeOnHost(host: PipelineHost, name: string): Promise<PipelineAnalysis> {
  const target = host.getPipeline(name)
  return analyzePipeline(target, await snapshot(host, name))
}

/** Options of {@link PipelineHost.runPlan}. */
export interface RunPlanOptions {
  /** Input of each step that reads the pipeline input, by pipeline name. */
  inputs?: Readonly<Record<string, unknown>>
}

/** What {@link PipelineHost.runPlan} did: the plan it ran and the load that followed. */
export interface PlanRunResult {
  readonly plan: RetrainPlan
  readonly load: LoadResult
}

/**
 * {@link PipelineHost.runPlan}: runs each step as a job of this host (load → run → save what
 * changed), in order, then loads the pipeline. Refuses a plan that cannot complete, or whose
 * steps need an input that was not given, before running anything.
 */
export async function runPlanOnHost(
  host: PipelineHost,
  name: string,
  options: RunPlanOptions = {},
): Promise<PlanRunResult> {
  const plan = await planOnHost(host, name)
  checkRunnable(plan, options.inputs ?? {})
  for (const [i, step] of plan.steps.entries()) {
    await host.runJob(step.pipeline, options.inputs?.[step.pipeline], { jobId: `plan ${name} step ${i + 1}` })
  }
  return { plan, load: await host.load(name) }
}

/**
 * Throws `PLAN_INCOMPLETE` when the plan cannot make the pipeline loadable, and `INVALID_INPUT`
 * when a step reads the pipeline input and `inputs` has none for it.
 *
 * @example
 * ```ts
 * checkRunnable(plan, { train_mean: [1, 2, 3] })
 * ```
 */
export function checkRunnable(plan: RetrainPlan, inputs: Readonly<Record<string, unknown>>): void {
  if (plan.unplannable.length > 0) {
    throw new ChariotsError(
      ErrorCode.PLAN_INCOMPLETE,
      `pipeline '${plan.pipeline}' cannot be made loadable by this app: ${plan.unplannable.map((u) => u.reason).join('; ')}`,
      { details: { pipeline: plan.pipeline, unplannable: plan.unplannable } },
    )
  }
  const needing = plan.steps.filter((s) => s.needsInput && !Object.hasOwn(inputs, s.pipeline))
  if (needing.length > 0) {
    const names = needing.map((s) => `'${s.pipeline}'`).join(', ')
    throw new ChariotsError(
      ErrorCode.INVALID_INPUT,
      `the plan of '${plan.pipeline}' runs ${names}, which read the pipeline input; give each one as {"inputs": {"${needing[0]!.pipeline}": …}}`,
      { details: { pipeline: plan.pipeline, needsInput: needing.map((s) => s.pipeline) } },
    )
  }
}
