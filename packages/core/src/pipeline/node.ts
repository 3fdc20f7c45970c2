import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'
import type { BaseOp } from '../ops/base-op.js'
import { LoadableOp } from '../ops/loadable-op.js'
import type { Version } from '../versioning/version.js'
import type { Pipeline } from './pipeline.js'
import { nameProblem, ReservedNodes } from './reserved-nodes.js'

/** Runs a nested pipeline; the runner that runs the parent passes itself. */
export interface NestedRunner {
  run(pipeline: Pipeline, input?: unknown): Promise<unknown>
}

/** Options of a {@link Node}. */
export interface NodeOptions {
  /** Names of the values the op receives, in order; or node objects with a single output. */
  inputNodes?: ReadonlyArray<string | Node>
  /**
   * One name receives the whole result; n > 1 names split an array result of length n. Left out
   * (or empty), the node has one output named after the node, as in the original.
   */
  outputNodes?: string | readonly string[]
  /** Defaults to the op's (or nested pipeline's) name; unique within a pipeline. */
  name?: string
}

const OPTION_KEYS: readonly string[] = ['inputNodes', 'outputNodes', 'name'] satisfies (keyof NodeOptions)[]

/**
 * A slot in a pipeline: an op (or a whole nested pipeline) with the names of its inputs and outputs.
 * A node given no `outputNodes` has one output named after the node (`hasImplicitOutput`): another
 * node can take it as an input, and nothing needs to read it (a training or data-saving node).
 * The options are one object; Python-style positional arguments are a TypeError.
 *
 * @example
 * ```ts
 * const add = new Node(new AddOneOp(), { inputNodes: ['__pipeline_input__'] }) // outputs 'addoneop'
 * const odd = new Node(new IsOddOp(), { inputNodes: [add], outputNodes: '__pipeline_output__' })
 * ```
 */
export class Node {
  readonly target: BaseOp | Pipeline
  readonly name: string
  readonly inputNodes: readonly string[]
  /** The output names; `[name]` when the node was given none (see `hasImplicitOutput`). */
  readonly outputNodes: readonly string[]
  /** Whether the node was given no `outputNodes`, so it outputs under its own name. */
  readonly hasImplicitOutput: boolean

  // `positional` is typed never[] so TypeScript refuses extra arguments; plain JS is caught at run time.
  constructor(target: BaseOp | Pipeline, options: NodeOptions = {}, ...positional: never[]) {
    checkOptions(target, options, positional)
    this.target = target
    this.name = options.name ?? target.name
    const problem = nameProblem(this.name)
    if (problem) {
      throw new ChariotsError(
        ErrorCode.INVALID_GRAPH,
        `node name '${String(this.name).slice(0, 100)}' is not valid: ${problem}`,
      )
    }
    this.inputNodes = (options.inputNodes ?? []).map((input) => resolveInput(input, this.name))
    const outs = options.outputNodes
    const declared = outs === undefined ? [] : typeof outs === 'string' ? [outs] : [...outs]
    this.hasImplicitOutput = declared.length === 0
    this.outputNodes = this.hasImplicitOutput ? [this.name] : declared
    for (const out of this.outputNodes) {
      if (out === ReservedNodes.pipelineInput) {
        throw new ChariotsError(
          ErrorCode.INVALID_GRAPH,
          `node '${this.name}' cannot output into '${ReservedNodes.pipelineInput}'`,
        )
      }
    }
  }

  /** The op, when this node wraps one (not a pipeline). */
  get op(): BaseOp | undefined {
    return isPipeline(this.target) ? undefined : this.target
  }

  /** The nested pipeline, when this node wraps one. */
  get pipeline(): Pipeline | undefined {
    return isPipeline(this.target) ? this.target : undefined
  }

  /** The op's version, or for a nested pipeline the combination of its nodes' versions. */
  get version(): Version {
    const t = this.target
    return isPipeline(t) ? t.version : t.opVersion
  }

  /** The op whose state the store keeps for this node, if any. */
  get loadableOp(): LoadableOp | undefined {
    const op = this.op
    return op instanceof LoadableOp ? op : undefined
  }

  /**
   * Runs the node on its arguments: op hooks and callbacks around `execute`, or the nested pipeline
   * with the given runner. Returns synchronously when everything involved is synchronous.
   */
  run(args: unknown[], runner: NestedRunner): unknown {
    const t = this.target
    if (isPipeline(t)) return runner.run(t, args.length <= 1 ? args[0] : args)
    if (t.callbacks.length === 0) {
      const before = t.beforeExecution(args)
      if (before instanceof Promise) return before.then(() => finishOp(t, args))
      return finishOp(t, args)
    }
    return runWithCallbacks(t, args)
  }

  /** Writes the node's result into `values` under its output names. */
  assignOutputs(result: unknown, values: Map<string, unknown>): void {
    const outs = this.outputNodes
    if (outs.length === 1) {
      values.set(outs[0]!, result)
    } else if (outs.length > 1) {
      if (!Array.isArray(result) || result.length !== outs.length) {
        const got = Array.isArray(result)
          ? `an array of ${result.length}`
          : `a ${result === null ? 'null' : typeof result}`
        throw new ChariotsError(
          ErrorCode.OUTPUT_MISMATCH,
          `node '${this.name}' has ${outs.length} outputs [${outs.join(', ')}] but its op returned ${got}; return an array of ${outs.length} values or use a single output`,
          { details: { node: this.name, expected: outs.length } },
        )
      }
      for (let i = 0; i < outs.length; i++) values.set(outs[i]!, result[i])
    }
  }
}

function finishOp(op: BaseOp, args: unknown[]): unknown {
  const out = op.execute(...args)
  if (out instanceof Promise) return out.then((value) => afterOp(op, args, value))
  return afterOp(op, args, out)
}

function afterOp(op: BaseOp, args: unknown[], out: unknown): unknown {
  const after = op.afterExecution(args, out)
  return after instanceof Promise ? after.then(() => out) : out
}

async function runWithCallbacks(op: BaseOp, args: unknown[]): Promise<unknown> {
  for (const cb of op.callbacks) await cb.beforeExecution(op, args)
  await op.beforeExecution(args)
  const out = await op.execute(...args)
  await op.afterExecution(args, out)
  for (const cb of op.callbacks) await cb.afterExecution(op, args, out)
  return out
}

/** Refuses Python-style positional arguments and unknown option names, showing the options form. */
function checkOptions(target: BaseOp | Pipeline, options: unknown, positional: unknown[]): void {
  const isObject = typeof options === 'object' && options !== null && !Array.isArray(options)
  const given = isObject ? (options as Record<string, unknown>) : { inputNodes: options }
  if (positional.length > 0 || !isObject) {
    const [outputNodes, name] = positional
    const form = optionsForm(target, { inputNodes: undefined, outputNodes, name, ...given })
    throw nodeTypeError(
      `new Node takes its inputs and outputs in one options object, not as positional arguments: write ${form}`,
    )
  }
  const unknown = Object.keys(given).filter((k) => !OPTION_KEYS.includes(k))
  if (unknown.length > 0) {
    throw nodeTypeError(
      `new Node got unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; the options are ${OPTION_KEYS.join(', ')}: write ${optionsForm(target, given)}`,
    )
  }
}

function optionsForm(target: BaseOp | Pipeline, given: Record<string, unknown>): string {
  const pythonNames: Record<string, string> = { input_nodes: 'inputNodes', output_nodes: 'outputNodes' }
  const entries = Object.entries(given)
    .map(([k, v]) => [pythonNames[k] ?? k, v] as const)
    .filter(([k, v]) => OPTION_KEYS.includes(k) && v !== undefined && v !== null)
    .map(([k, v]) => `${k}: ${show(k === 'inputNodes' && typeof v === 'string' ? [v] : v)}`)
  const what = isPipeline(target) ? 'pipeline' : 'op'
  return `new Node(${what}, { ${entries.length ? entries.join(', ') : "inputNodes: ['...'], outputNodes: '...'"} })`
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`
  if (value instanceof Node) return `<node '${value.name}'>`
  return String(value)
}

function nodeTypeError(message: string): TypeError {
  // Node.js's own convention: a TypeError with a string `code`.
  return Object.assign(new TypeError(message), { code: ErrorCode.INVALID_GRAPH })
}

function resolveInput(input: string | Node, nodeName: string): string {
  if (typeof input === 'string') return input
  if (input instanceof Node && input.outputNodes.length === 1) return input.outputNodes[0]!
  const outs = input instanceof Node ? `${input.outputNodes.length} outputs` : 'no node'
  throw new ChariotsError(
    ErrorCode.INVALID_GRAPH,
    `node '${nodeName}' takes node '${(input as Node)?.name}' as input, which has ${outs}; a node used as an input needs exactly one output (or name the output instead)`,
  )
}

/** Whether a value is a {@link Pipeline} (without importing the class: pipelines hold nodes). */
export function isPipeline(value: unknown): value is Pipeline {
  return (
    typeof value === 'object' && value !== null && (value as { isPipeline?: unknown }).isPipeline === true
  )
}
