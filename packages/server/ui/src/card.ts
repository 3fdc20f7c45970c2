import { ApiError, getJson, getText, postJson, seg } from './api.js'
import { showDetails } from './details.js'
import { el, pretty } from './dom.js'
import type { GraphJson, Plan, PlanRun } from './types.js'

/**
 * One pipeline on the page: its DAG (drawn by the server as SVG, links coloured by lineage), whether
 * it is loadable and serving, its retrain plan when it is not loadable, and buttons to run, run in
 * a worker, save, load and run its plan.
 */
export class PipelineCard {
  readonly root: HTMLElement
  readonly #badges = el('span', { class: 'badges' })
  readonly #graph = el('div', { class: 'graph' })
  readonly #plan = el('div', { class: 'plan', hidden: '' })
  readonly #input = el('textarea', {
    class: 'input',
    placeholder: 'input as JSON, e.g. [[5.1, 3.5, 1.4, 0.2]]',
  })
  readonly #output = el('pre', { class: 'output' })
  /** Jobs this card queued, whose result it shows when they end. */
  readonly #jobs = new Set<string>()

  constructor(
    readonly name: string,
    readonly changed: () => void,
  ) {
    const button = (label: string, action: string, run: () => Promise<void>) => {
      const b = el('button', { 'data-action': action }, label)
      b.addEventListener('click', () => void this.#act(b, run))
      return b
    }
    this.root = el(
      'article',
      { class: 'pipeline', 'data-pipeline': name },
      el('header', {}, el('h2', {}, name), this.#badges),
      this.#graph,
      this.#plan,
      el(
        'div',
        { class: 'actions' },
        this.#input,
        button('Run', 'run', () => this.#call(false)),
        button('Run in worker', 'worker', () => this.#call(true)),
        button('Save', 'save', async () => this.#show(await postJson(`pipelines/${seg(name)}/save`))),
        button('Load', 'load', async () => this.#show(await postJson(`pipelines/${seg(name)}/load`))),
      ),
      this.#output,
    )
  }

  /** Fetches the graph (and the plan when it is not loadable) and redraws. */
  async refresh(): Promise<void> {
    const base = `pipelines/${seg(this.name)}`
    const [graph, svg] = await Promise.all([
      getJson<GraphJson>(`${base}/graph`),
      getText(`${base}/graph?format=svg`),
    ])
    this.#badges.replaceChildren(
      el(
        'span',
        { class: `badge ${graph.loadable ? 'loadable' : 'not-loadable'}` },
        graph.loadable ? 'loadable' : 'not loadable',
      ),
      el(
        'span',
        { class: `badge ${graph.serving ? 'serving' : 'idle'}` },
        graph.serving ? 'serving' : 'not serving',
      ),
    )
    this.#input.hidden = !graph.nodes.some(
      (n) => n.parent === null && n.inputs.includes('__pipeline_input__'),
    )
    this.#graph.innerHTML = svg // drawn by the server, every name escaped
    for (const g of this.#graph.querySelectorAll<SVGGElement>('g.node')) {
      const node = g.dataset.node!
      if (node.startsWith('__pipeline_')) continue
      g.addEventListener('click', () => {
        for (const other of document.querySelectorAll('g.node.selected')) other.classList.remove('selected')
        g.classList.add('selected')
        void showDetails(this.name, node, this.changed)
      })
    }
    if (graph.loadable) this.#plan.hidden = true
    else this.#showPlan(await getJson<Plan>(`${base}/plan`))
  }

  /** A job event: shows the result of a job this card queued. */
  jobEnded(jobId: string, data: unknown, failed: boolean): void {
    if (!this.#jobs.delete(jobId)) return
    this.#show(data, failed)
  }

  /** A plan run event: shows where the run of this pipeline's plan stands. */
  planRun(run: PlanRun): void {
    const state = this.#plan.querySelector('.run-state')
    const text =
      run.status === 'running'
        ? `running: ${run.steps.map((s) => `${s.pipeline} ${s.jobStatus}`).join(', ') || 'loading'}`
        : run.status === 'done'
          ? 'done: loaded'
          : `failed: ${run.error?.message ?? ''}`
    if (state) state.textContent = text
    if (run.status === 'failed') this.#show(run.error, true)
  }

  #showPlan(plan: Plan): void {
    const runPlan = el('button', { class: 'primary', 'data-action': 'run-plan' }, 'Run plan')
    runPlan.addEventListener('click', () =>
      this.#act(runPlan, async () =>
        this.planRun(await postJson<PlanRun>(`pipelines/${seg(this.name)}/plan/run`)),
      ),
    )
    const steps = plan.steps.map((s) =>
      el(
        'li',
        {},
        el('b', {}, s.pipeline),
        s.kind === 'data' ? ' (writes data)' : '',
        ' ',
        el('span', { class: 'reason' }, s.reason),
      ),
    )
    const stale = plan.stale.map((s) => `${s.node} ← ${s.upstream}`).join(', ')
    this.#plan.replaceChildren(
      el(
        'div',
        {},
        el('b', {}, 'Not loadable. '),
        stale ? `Stale: ${stale}. ` : '',
        plan.retrain.length ? 'Plan: retrain ' : '',
      ),
      el('ol', {}, ...steps),
      ...plan.unplannable.map((u) => el('div', { class: 'misfit' }, u.reason)),
      plan.unplannable.length ? '' : runPlan,
      el('span', { class: 'run-state' }),
    )
    this.#plan.hidden = false
  }

  async #call(useWorker: boolean): Promise<void> {
    const text = this.#input.hidden ? '' : this.#input.value.trim()
    let input: unknown = null
    if (text !== '') {
      try {
        input = JSON.parse(text)
      } catch {
        throw new Error('the input is not JSON, e.g. [[5.1, 3.5, 1.4, 0.2]]')
      }
    }
    const body = { pipeline_input: input, use_worker: useWorker }
    const answer = await postJson<{ job_id: string | null }>(`pipelines/${seg(this.name)}/main`, body)
    if (answer.job_id) this.#jobs.add(answer.job_id)
    this.#show(answer)
  }

  async #act(button: HTMLButtonElement, run: () => Promise<void>): Promise<void> {
    button.disabled = true
    try {
      await run()
    } catch (err) {
      const plan = err instanceof ApiError ? (err.details?.plan as Plan | undefined) : undefined
      this.#show(
        err instanceof ApiError ? { error: { code: err.code, message: err.message } } : String(err),
        true,
      )
      if (plan && !plan.loadable) this.#showPlan(plan)
    } finally {
      button.disabled = false
      this.changed()
    }
  }

  #show(value: unknown, failed = false): void {
    this.#output.textContent = typeof value === 'string' ? value : pretty(value)
    this.#output.classList.toggle('error', failed)
  }
}
