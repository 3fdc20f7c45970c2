import type { PipelineCallback } from '../callbacks/pipeline-callback.js'
import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import { type Progress, withProgressReporter } from '../ops/progress.js'
import type { Node } from '../pipeline/node.js'
import type { Pipeline } from '../pipeline/pipeline.js'
import type { BaseRunner, RunOptions } from '../runners/base-runner.js'
import { SequentialRunner } from '../runners/sequential-runner.js'
import type { BaseSaver } from '../savers/base-saver.js'
import { FileSaver } from '../savers/file-saver.js'
import { OpStore } from '../store/op-store.js'
import type { StateStore } from '../store/state-store.js'
import type { Version } from '../versioning/version.js'
import type { Announcer, ReplicaOutcome } from './announcer.js'
import {
  analyzeOnHost,
  type PlanRunResult,
  planOnHost,
  type RunPlanOptions,
  runPlanOnHost,
} from './host-plan.js'
import { heldStates, type LoadOutcome, loadPipelineStates } from './load-states.js'
import { notLoadedReason } from './not-loaded-reason.js'
import type { PipelineAnalysis } from './pipeline-analysis.js'
import { PipelineGate } from './pipeline-gate.js'
import { PromiseMutex } from './promise-mutex.js'
import { ReplicaSync } from './replica-sync.js'
import type { RetrainPlan } from './retrain-plan.js'
import { RowBatcher } from './row-batcher.js'
import { type SavedStates, savePipelineStates } from './save-states.js'

/** What the host logs through (a pino logger fits). */
export interface HostLogger {
  info(fields: object, message?: string): void
  warn(fields: object, message?: string): void
  error(fields: object, message?: string): void
}

/** Options of a {@link PipelineHost}. */
export interface PipelineHostOptions {
  /** Root folder of a `FileSaver` holding the store and the data files (or give `saver` / `store`). */
  path?: string
  /** Where data files (and, without `store`, the folder store) live. */
  saver?: BaseSaver
  /** Where saved states live (default: an {@link OpStore} on the saver). */
  store?: StateStore
  /** Runs every call (default `SequentialRunner`). */
  runner?: BaseRunner
  /** Pipeline callbacks added to every run. */
  callbacks?: PipelineCallback[]
  /** Logs loads, refusals and jobs. */
  logger?: HostLogger
  /** How long a save or a load waits for a pipeline busy with a run (default 10 s). */
  busyTimeoutMs?: number
  /**
   * Load every pipeline at construction. Default true, unless the environment variable
   * `CHARIOTS_AUTOLOAD` is `0` (worker threads set it: they load per job).
   */
  autoLoad?: boolean
  /**
   * Keeps the app's servers in step: a load is announced to every replica, which loads the same
   * states (see {@link ReplicaSync}). Hosts that auto-load (servers) also receive announcements.
   */
  announcer?: Announcer
  /** With an announcer: a training job's save makes every server reload what uses it. Default false. */
  autoReload?: boolean
  /** How long a load waits for every replica's outcome (default 10 s). */
  announceTimeoutMs?: number
}

/** A refused load: the states that were serving keep serving. */
export interface LoadRefusal {
  readonly at: string
  readonly code: string
  readonly message: string
  readonly details?: Record<string, unknown>
}

/** Where a pipeline stands. */
export interface PipelineStatus {
  readonly name: string
  /** Whether it serves: training pipelines always, prediction pipelines once a consistent load succeeded. */
  readonly loaded: boolean
  /** Why it does not serve, and what to do. */
  readonly reason: string | null
  /** The newest load, when it was refused (what serves is the last good load, if any). */
  readonly refused: LoadRefusal | null
  /** When the states that serve were loaded. */
  readonly loadedAt: string | null
  /** The saved states it holds, by node. */
  readonly states: Readonly<Record<string, { seq: number; version: string }>>
}

/** What a load answers. */
export interface LoadResult {
  readonly pipeline: string
  readonly loaded: boolean
  /** Why it is not loaded (no saved state yet), with the fix. */
  readonly reason: string | null
  /** Each node's version after the load. */
  readonly versions: Record<string, string>
  /** The saved states it holds, by node. */
  readonly states: Readonly<Record<string, { seq: number; version: string }>>
  /** With an announcer: each other replica's outcome (they now serve the same states, or say why not). */
  readonly replicas?: readonly ReplicaOutcome[]
}

/** What a run answers. */
export interface RunResult {
  readonly value: unknown
  /** Each node's version after the run. */
  readonly versions: Record<string, string>
}

/** What a save answers. */
export interface SaveResult {
  /** The states written, by node (empty when nothing changed). */
  readonly saved: SavedStates
  readonly versions: Record<string, string>
}

/** What a job needs of the pool running it. */
export interface HostJobContext {
  jobId: string
  /** Stores the job's latest progress (a failed write only warns). */
  reportProgress?(progress: Progress): void | Promise<void>
}

interface Entry {
  readonly pipeline: Pipeline
  readonly gate: PipelineGate
  refused: LoadRefusal | null
  loadedAt: string | null
  /** Merges concurrent calls, for a pipeline with `batch` whose ops are all row-wise. */
  batcher?: RowBatcher<Record<string, string>> | null
}

/**
 * The lifecycle of an app's pipelines, in one place, with no HTTP: it owns the pipelines, the
 * store, the saver and the runner, and every step has one sequence.
 *
 * - **load**: reload the store → prepare data nodes → resolve versions → load the states
 *   atomically → check the rule. A refused load leaves what serves untouched.
 * - **run**: a call of a pipeline that is loaded. Prediction calls run side by side; a pipeline
 *   whose ops change state (training) runs one call at a time.
 * - **save**: only the states that changed, each with its lineage.
 * - **runJob**: what a worker runs: load → run → save what changed. A prediction job writes nothing.
 *
 * `Chariots` (the HTTP app) is a thin adapter over a host; worker pools run jobs on it.
 *
 * @example
 * ```ts
 * const host = new PipelineHost([trainIris(), predIris()], { path: './store' })
 * await host.run('train_iris')
 * await host.save('train_iris')
 * await host.load('pred_iris')
 * const { value } = await host.run('pred_iris', [[5.1, 3.5, 1.4, 0.2]])
 * ```
 */
export class PipelineHost {
  readonly pipelines: ReadonlyMap<string, Pipeline>
  readonly saver: BaseSaver
  readonly store: StateStore
  readonly runner: BaseRunner
  readonly runOptions: RunOptions
  logger: HostLogger | undefined
  private readonly entries = new Map<string, Entry>()
  private readonly loads = new PromiseMutex()
  private readonly busyTimeoutMs: number
  private readonly startup: Promise<void>
  /** The other servers of the app, when an announcer was given. */
  readonly replicas: ReplicaSync | undefined

  constructor(pipelines: readonly Pipeline[], options: PipelineHostOptions = {}) {
    this.saver = saverFrom(options)
    this.store = options.store ?? new OpStore(this.saver)
    this.runner = options.runner ?? new SequentialRunner()
    this.runOptions = { callbacks: options.callbacks ?? [] }
    this.logger = options.logger
    this.busyTimeoutMs = options.busyTimeoutMs ?? 10_000
    const byName = new Map<string, Pipeline>()
    for (const p of pipelines) {
      if (byName.has(p.name)) {
        throw new ChariotsError(
          ErrorCode.INVALID_GRAPH,
          `two pipelines are named '${p.name}'; pipeline names must be unique in an app`,
        )
      }
      byName.set(p.name, p)
      this.entries.set(p.name, { pipeline: p, gate: new PipelineGate(p.name), refused: null, loadedAt: null })
    }
    this.pipelines = byName
    const autoLoad = options.autoLoad ?? process.env.CHARIOTS_AUTOLOAD !== '0'
    this.replicas = options.announcer
      ? new ReplicaSync(this, options.announcer, {
          autoReload: options.autoReload === true,
          ...(options.announceTimeoutMs !== undefined ? { timeoutMs: options.announceTimeoutMs } : {}),
        })
      : undefined
    this.startup = autoLoad
      ? Promise.all([this.loadAll(), this.replicas?.start()]).then(() => undefined)
      : Promise.resolve()
  }

  /** Resolves once the start-up load of every pipeline is done (never rejects). */
  ready(): Promise<void> {
    return this.startup
  }

  /** The pipeline of that name; throws `PIPELINE_NOT_FOUND` when there is none. */
  getPipeline(name: string): Pipeline {
    return this.entry(name).pipeline
  }

  /** Where a pipeline stands: serving or not, why, and the last refused load. */
  status(name: string): PipelineStatus {
    const { pipeline, refused, loadedAt } = this.entry(name)
    return {
      name,
      loaded: pipeline.isLoaded,
      reason: pipeline.isLoaded ? null : pipeline.notLoadedReason,
      refused,
      loadedAt,
      states: heldStates(pipeline),
    }
  }

  /**
   * Loads the pipeline by the version rule, atomically. Answers `loaded: false` with the reason
   * when a node has no saved state yet (nothing changes); throws `VersionError` when the saved
   * states do not fit the current upstream, and other errors (a corrupt file, the store down): the
   * pipeline then keeps serving what it had, and its status records the refusal.
   */
  async load(
    name: string,
    options: { pin?: Readonly<Record<string, number>>; announce?: boolean } = {},
  ): Promise<LoadResult> {
    const entry = this.entry(name)
    const result = await this.loads.run(name, () =>
      this.refresh(entry, {
        ...(options.pin ? { pin: options.pin } : {}),
        swap: (apply) => entry.gate.exclusive(apply, { timeoutMs: this.busyTimeoutMs, what: 'a load' }),
      }),
    )
    if (!this.replicas || options.announce === false || !result.loaded) return result
    // This server serves the new states now, whatever happens to the announcement: a failure to
    // announce is an outcome (not in step), not a failed load.
    const replicas = await this.replicas
      .announceLoad(result)
      .catch((err: ChariotsError): ReplicaOutcome[] => {
        this.logger?.warn({ pipeline: name, err }, 'could not announce the load to the other servers')
        return [
          {
            replica: '(every other server)',
            status: 'timeout',
            error: {
              code: String(err.code ?? ErrorCode.INTERNAL),
              message: `the load was not announced: ${err.message}`,
            },
          },
        ]
      })
    return { ...result, replicas }
  }

  /**
   * Takes a pipeline out of service with a reason (a replica that could not load the states
   * another server loaded must not answer from the previous generation). A later load that
   * succeeds serves again.
   */
  withdraw(name: string, code: string, message: string): void {
    const entry = this.entry(name)
    entry.refused = { at: new Date().toISOString(), code, message }
    entry.loadedAt = null
    entry.pipeline.isLoaded = false
    entry.pipeline.notLoadedReason = message
  }

  /** Runs a call of a loaded pipeline (`PIPELINE_NOT_LOADED` otherwise). */
  async run(name: string, input?: unknown): Promise<RunResult> {
    const entry = this.entry(name)
    const { pipeline } = entry
    if (!pipeline.isLoaded) throw notLoaded(pipeline)
    const batcher = Array.isArray(input) ? this.batcherOf(entry) : null
    if (batcher) {
      // Each call's rows are checked on their own, so a bad input fails only its call.
      const rows = pipeline.parseInput(input) as unknown[]
      const { value, rest } = await batcher.submit(rows)
      return { value, versions: rest }
    }
    const call = () => this.runOnce(pipeline, input)
    return changesState(pipeline)
      ? entry.gate.exclusive(call, { what: 'a training call' })
      : entry.gate.shared(call)
  }

  /** The entry's batcher: only for a pipeline with `batch` whose ops all map rows on their own. */
  private batcherOf(entry: Entry): RowBatcher<Record<string, string>> | null {
    if (entry.batcher !== undefined) return entry.batcher
    const { pipeline } = entry
    const rowWise = pipeline.allNodes().every((n) => n.pipeline !== undefined || n.op?.rowWise === true)
    entry.batcher =
      pipeline.batch && rowWise && !changesState(pipeline)
        ? new RowBatcher(pipeline.batch, (rows) =>
            entry.gate
              .shared(() => this.runOnce(pipeline, rows))
              .then((r) => ({ value: r.value, rest: r.versions })),
          )
        : null
    if (pipeline.batch && !entry.batcher) {
      this.logger?.warn(
        { pipeline: pipeline.name },
        `pipeline '${pipeline.name}' asks for batch, but not all its ops are row-wise (static rowWise = true): calls run one by one`,
      )
    }
    return entry.batcher
  }

  /**
   * Saves the states that changed since they were loaded or saved. Throws `NOTHING_TO_SAVE` when
   * the pipeline has stateful ops and none of them holds a state yet (run its training first).
   */
  async save(name: string, options: { savedBy?: string | null } = {}): Promise<SaveResult> {
    const entry = this.entry(name)
    return entry.gate.exclusive(() => this.saveNow(entry.pipeline, options.savedBy ?? null, true), {
      timeoutMs: this.busyTimeoutMs,
      what: 'a save',
    })
  }

  /**
   * A worker job: load → run → save what changed, as one step for pipelines that train (no other
   * call of the pipeline interleaves), and load, then a shared run, for prediction pipelines.
   */
  async runJob(name: string, input: unknown, ctx: HostJobContext): Promise<RunResult> {
    const entry = this.entry(name)
    const started = performance.now()
    this.logger?.info({ job: ctx.jobId, pipeline: name }, 'job started')
    try {
      await this.ready()
      const result = changesState(entry.pipeline)
        ? await entry.gate.exclusive(
            async () => {
              await this.loads.run(name, () => this.refresh(entry, {}))
              this.requireLoaded(entry.pipeline)
              const out = await this.runWithProgress(entry.pipeline, input, ctx)
              const { saved } = await this.saveNow(entry.pipeline, `job ${ctx.jobId}`, false)
              if (this.replicas && Object.keys(saved).length > 0) {
                // Best effort: the job succeeded; a replica that misses this reloads on its next /load.
                await this.replicas.announceSaved(name, saved).catch((err: unknown) => {
                  this.logger?.warn({ job: ctx.jobId, err }, 'could not announce the saved states')
                })
              }
              return { value: out.value, versions: versionsOf(entry.pipeline) }
            },
            { what: `job ${ctx.jobId}` },
          )
        : await this.load(name).then(() => {
            this.requireLoaded(entry.pipeline)
            return entry.gate.shared(() => this.runWithProgress(entry.pipeline, input, ctx))
          })
      const ms = Math.round(performance.now() - started)
      this.logger?.info({ job: ctx.jobId, pipeline: name, ms, status: 'done' }, 'job done')
      return result
    } catch (err) {
      const ms = Math.round(performance.now() - started)
      const e = err as ChariotsError
      this.logger?.warn(
        { job: ctx.jobId, pipeline: name, ms, status: 'failed', code: e.code ?? ErrorCode.OP_FAILED },
        `job failed: ${e.message}`,
      )
      throw err
    }
  }

  /**
   * What it takes to make the pipeline loadable, against the store as it is now: whether it is,
   * its stale links, and the ordered training pipelines to run and save (see `planRetraining`).
   */
  plan(name: string): Promise<RetrainPlan> {
    return planOnHost(this, name)
  }

  /** Each node's and link's standing against the store as it is now (see `analyzePipeline`). */
  analyze(name: string): Promise<PipelineAnalysis> {
    return analyzeOnHost(this, name)
  }

  /** Runs the pipeline's plan here, step by step as jobs (load → run → save), then loads it. */
  runPlan(name: string, options: RunPlanOptions = {}): Promise<PlanRunResult> {
    return runPlanOnHost(this, name, options)
  }

  /** Releases the store's connections. */
  async close(): Promise<void> {
    await this.replicas?.close()
    await this.store.close?.()
  }

  private entry(name: string): Entry {
    const entry = this.entries.get(name)
    if (entry) return entry
    const names = [...this.entries.keys()].join(', ') || '(none)'
    throw new ChariotsError(
      ErrorCode.PIPELINE_NOT_FOUND,
      `pipeline '${String(name).slice(0, 200)}' is not served here; available pipelines: ${names}`,
      { details: { pipeline: String(name).slice(0, 200), available: [...this.entries.keys()] } },
    )
  }

  /** The load sequence; records a refusal (and rethrows it) without touching what serves. */
  private async refresh(
    entry: Entry,
    options: { pin?: Readonly<Record<string, number>>; swap?: (apply: () => Promise<void>) => Promise<void> },
  ): Promise<LoadResult> {
    const { pipeline } = entry
    let outcome: LoadOutcome
    try {
      if (usesStore(pipeline)) await this.store.reload()
      await pipeline.prepare(this.saver)
      outcome = await loadPipelineStates(pipeline, this.store, options)
    } catch (err) {
      const e = err as ChariotsError
      recordRefusal(entry, e)
      // A pipeline that never loaded does not serve: not fresh ops in place of saved state, and not
      // data nodes that could not be prepared (a path leaving the root, an unreadable file), which
      // would fail every call while health said the pipeline is fine.
      if (entry.loadedAt === null) pipeline.isLoaded = false
      if (!pipeline.isLoaded) pipeline.notLoadedReason = e.message
      this.logger?.warn({ pipeline: pipeline.name, code: entry.refused?.code }, `load refused: ${e.message}`)
      throw err
    }
    const reason = outcome.loaded
      ? null
      : notLoadedReason(pipeline, outcome.missing, this.trainersOf(outcome))
    if (outcome.loaded) {
      entry.refused = null
      entry.loadedAt = new Date().toISOString()
    } else if (!pipeline.isLoaded) {
      pipeline.notLoadedReason = reason
    } else {
      entry.refused = { at: new Date().toISOString(), code: ErrorCode.PIPELINE_NOT_LOADED, message: reason! }
    }
    return {
      pipeline: pipeline.name,
      loaded: outcome.loaded,
      reason,
      versions: versionsOf(pipeline),
      states: outcome.states,
    }
  }

  private async runOnce(pipeline: Pipeline, input: unknown): Promise<RunResult> {
    try {
      const value = await this.runner.run(pipeline, input, this.runOptions)
      return { value, versions: versionsOf(pipeline) }
    } catch (err) {
      throw asOpFailure(err)
    }
  }

  private async runWithProgress(pipeline: Pipeline, input: unknown, ctx: HostJobContext): Promise<RunResult> {
    const writes: Promise<unknown>[] = []
    const report = ctx.reportProgress
    const reporter = (progress: Progress): void => {
      const pending = report?.(progress)
      // A lost progress update must not fail the job; it is only a hint for whoever polls.
      if (pending instanceof Promise) {
        writes.push(pending.catch((err) => this.logger?.warn({ job: ctx.jobId, err }, 'progress not stored')))
      }
    }
    const result = await withProgressReporter(reporter, () => this.runOnce(pipeline, input))
    await Promise.all(writes)
    return result
  }

  /** Saves what changed; `strict` (a user's save) refuses a pipeline that holds no state at all. */
  private async saveNow(pipeline: Pipeline, savedBy: string | null, strict: boolean): Promise<SaveResult> {
    const stateful = pipeline.allNodes().filter((n) => n.loadableOp)
    if (strict && stateful.length > 0 && stateful.every((n) => n.loadableOp!.state === null)) {
      const trainers = this.trainersOf({ missing: stateful.map((n) => ({ node: n.name, otherCode: 0 })) })
      const fix = trainers.some((t) => t === pipeline.name)
        ? `run '${pipeline.name}' first, then save it`
        : trainers.length > 0
          ? `run and save ${trainers.map((t) => `'${t}'`).join(' or ')} instead`
          : `run '${pipeline.name}' first`
      throw new ChariotsError(
        ErrorCode.NOTHING_TO_SAVE,
        `pipeline '${pipeline.name}' has nothing to save: none of its ops (${stateful.map((n) => `'${n.name}'`).join(', ')}) holds a trained or loaded state; ${fix}`,
        { details: { pipeline: pipeline.name } },
      )
    }
    const saved = await savePipelineStates(pipeline, this.store, { savedBy })
    if (Object.keys(saved).length > 0) {
      this.logger?.info({ pipeline: pipeline.name, saved, savedBy }, 'states saved')
    }
    return { saved, versions: versionsOf(pipeline) }
  }

  private requireLoaded(pipeline: Pipeline): void {
    if (!pipeline.isLoaded) throw notLoaded(pipeline)
  }

  /** The pipelines of this host that train the nodes a load misses. */
  private trainersOf(outcome: Pick<LoadOutcome, 'missing'>): string[] {
    const wanted = new Set(outcome.missing.map((m) => m.node))
    const trainers: string[] = []
    for (const [name, p] of this.pipelines) {
      const trains = p.allNodes().some((n) => {
        const op = n.loadableOp
        return op !== undefined && wanted.has(n.name) && op.changesStateOnRun && !op.requiresSavedState
      })
      if (trains) trainers.push(name)
    }
    return trainers
  }

  private async loadAll(): Promise<void> {
    // One store read for the whole start-up (an unreadable store fails every stateful pipeline).
    let storeProblem: ChariotsError | null = null
    try {
      if ([...this.pipelines.values()].some(usesStore)) await this.store.reload()
    } catch (err) {
      const message = `the store '${this.store.location}' could not be read: ${(err as Error).message}`
      // A database that is down stays BACKEND_UNAVAILABLE (503): it is not a broken store.
      const code =
        (err as ChariotsError).code === ErrorCode.BACKEND_UNAVAILABLE
          ? ErrorCode.BACKEND_UNAVAILABLE
          : ErrorCode.STORE_ERROR
      storeProblem = new ChariotsError(code, message, { cause: err })
      this.logger?.error({ err, store: this.store.location }, message)
    }
    for (const entry of this.entries.values()) {
      const { pipeline } = entry
      try {
        if (storeProblem && usesStore(pipeline)) {
          pipeline.isLoaded = false
          recordRefusal(entry, storeProblem)
          throw storeProblem
        }
        const result = await this.loads.run(pipeline.name, () => this.refresh(entry, {}))
        if (!result.loaded) this.logger?.info({ pipeline: pipeline.name }, result.reason ?? 'not loaded')
      } catch (err) {
        if (!pipeline.isLoaded) pipeline.notLoadedReason = (err as Error).message
        this.logger?.warn({ pipeline: pipeline.name, err }, `pipeline '${pipeline.name}' could not be loaded`)
      }
    }
  }
}

// Version strings are built once per Version object: a node's version only changes when its op
// is trained or loaded, so most calls reuse the string.
const versionText = new WeakMap<Node, { version: Version; text: string }>()

/**
 * Each top-level node's name → its version string, as the wire sends `versions`.
 *
 * @example
 * ```ts
 * versionsOf(isOddPipeline()) // { isoddop: '<major>.<minor>.<patch>_<time>' }
 * ```
 */
export function versionsOf(pipeline: Pipeline): Record<string, string> {
  const out: Record<string, string> = Object.create(null)
  for (const node of pipeline.nodes) {
    const version = node.version
    let hit = versionText.get(node)
    if (hit?.version !== version) {
      hit = { version, text: version.toString() }
      versionText.set(node, hit)
    }
    out[node.name] = hit.text
  }
  return out
}

/** Records a load that failed: what serves (if anything) keeps serving, and the status says why. */
function recordRefusal(entry: Entry, e: ChariotsError): void {
  entry.refused = {
    at: new Date().toISOString(),
    code: typeof e.code === 'string' ? e.code : ErrorCode.INTERNAL,
    message: e.message,
    ...(e.details ? { details: e.details } : {}),
  }
}

/** Whether a run may change the state of one of the pipeline's ops (a training). */
function changesState(pipeline: Pipeline): boolean {
  return pipeline.allNodes().some((n) => n.loadableOp?.changesStateOnRun)
}

/** Whether loading the pipeline reads the store (it has an op that loads saved state). */
function usesStore(pipeline: Pipeline): boolean {
  return pipeline.allNodes().some((n) => n.loadableOp?.usesSavedState)
}

function notLoaded(pipeline: Pipeline): ChariotsError {
  return new ChariotsError(
    ErrorCode.PIPELINE_NOT_LOADED,
    pipeline.notLoadedReason ??
      `pipeline '${pipeline.name}' is not loaded; train and save its models, then load it`,
    { details: { pipeline: pipeline.name } },
  )
}

/** An op that throws something else than a ChariotsError failed: OP_FAILED with its message. */
function asOpFailure(err: unknown): unknown {
  if (err instanceof ChariotsError) return err
  return new ChariotsError(ErrorCode.OP_FAILED, err instanceof Error ? err.message : String(err), {
    cause: err,
  })
}

function saverFrom(options: PipelineHostOptions): BaseSaver {
  if (options.saver) return options.saver
  if (options.store?.saver) return options.store.saver
  if (typeof options.path === 'string' && options.path !== '') return new FileSaver(options.path)
  throw new ChariotsError(
    ErrorCode.INVALID_INPUT,
    'a pipeline host needs options.path (a folder), options.saver or options.store to keep its states',
  )
}
