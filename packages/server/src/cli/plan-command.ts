import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import type { RetrainPlan } from '@chariots/core'
import { Client } from '../client/client.js'
import { reachServer } from './reach-server.js'
import { UsageError } from './usage-error.js'

/**
 * `chariots plan <pipeline>`: asks a running server what it takes to make the pipeline loadable
 * (`GET /pipelines/:name/plan`) and prints it: whether it is loadable, its stale links, the
 * training pipelines to run and save, in order, and why. `--json` prints the plan as the server
 * answers it. `--run` runs it as worker jobs (`POST /pipelines/:name/plan/run`) and follows the run
 * to its end. Exit codes: 0; 1 for a server error or a run that failed; 2 for bad arguments.
 *
 * @example
 * ```sh
 * chariots plan pred_iris          # pred_iris is not loadable … 1. train_iris
 * chariots plan pred_iris --run    # runs train_iris as a job, then loads pred_iris
 * ```
 */
export async function planCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string', short: 'u', default: process.env.CHARIOTS_URL ?? 'http://127.0.0.1:5000' },
      token: { type: 'string', default: process.env.CHARIOTS_TOKEN },
      json: { type: 'boolean', default: false },
      run: { type: 'boolean', default: false },
      inputs: { type: 'string' },
    },
  })
  const [pipeline, ...extra] = positionals
  if (!pipeline || extra.length > 0) throw new UsageError('expected the name of one pipeline')
  const inputs = values.inputs === undefined ? undefined : parseInputs(values.inputs)
  const client = new Client(values.url, values.token === undefined ? {} : { token: values.token })
  await reachServer(values.url, async () => {
    const plan = await client.pipelinePlan(pipeline)
    console.log(values.json ? JSON.stringify(plan, null, 2) : formatPlan(plan))
    if (!values.run) return
    let run = await client.runPlan(pipeline, inputs)
    while (run.status === 'running') {
      await sleep(500)
      run = await client.planRun(pipeline)
      if (!values.json) process.stderr.write(`${describeRun(run)}\n`)
    }
    console.log(values.json ? JSON.stringify(run, null, 2) : describeRun(run))
    if (run.status !== 'done') process.exitCode = 1
  })
}

/**
 * A plan as lines for a person.
 *
 * @example
 * ```ts
 * formatPlan(plan) // "pred_iris is not loadable\n  stale: random_forest was trained on pca 1a2b3c4d, now 5e6f7a8b\n…"
 * ```
 */
export function formatPlan(plan: RetrainPlan): string {
  if (plan.loadable) return `${plan.pipeline} is loadable: nothing to retrain`
  const lines = [`${plan.pipeline} is not loadable`]
  for (const s of plan.stale) {
    lines.push(
      `  stale: ${s.node} was trained on ${s.upstream} ${s.trainedWith.slice(0, 8)}, now ${s.current.slice(0, 8)}`,
    )
  }
  for (const m of plan.missing) {
    lines.push(
      `  never trained: ${m.node}${m.trainers.length ? ` (trained by ${m.trainers.join(', ')})` : ''}`,
    )
  }
  if (plan.steps.length > 0) {
    lines.push('run and save, in order:')
    plan.steps.forEach((s, i) => {
      const note = s.kind === 'data' ? ' (writes data)' : ''
      lines.push(`  ${i + 1}. ${s.pipeline}${note}: ${s.reason}${s.needsInput ? ' [needs an input]' : ''}`)
    })
  }
  for (const u of plan.unplannable) lines.push(`  cannot plan ${u.node}: ${u.reason}`)
  if (plan.unplannable.length === 0)
    lines.push(`then load it; or all at once: chariots plan ${plan.pipeline} --run`)
  return lines.join('\n')
}

function describeRun(run: Record<string, unknown>): string {
  const steps = (run.steps as { pipeline: string; jobStatus: string }[]) ?? []
  const error = run.error as { code: string; message: string } | null
  const parts = steps.map((s) => `${s.pipeline} ${s.jobStatus}`).join(', ')
  return `plan of ${String(run.pipeline)}: ${String(run.status)}${parts ? ` (${parts})` : ''}${error ? `: ${error.code}: ${error.message}` : ''}`
}

function parseInputs(text: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new UsageError(
      `--inputs is not JSON (${(err as Error).message}); e.g. '{"write_numbers": [1, 2, 3]}'`,
    )
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(
      `--inputs must be a JSON object of pipeline name → input, e.g. '{"write_numbers": [1, 2, 3]}'`,
    )
  }
  return value as Record<string, unknown>
}
