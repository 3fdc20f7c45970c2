// The Chariots dashboard: every pipeline as a DAG with its versions and lineage, its plan when it
// is not loadable, buttons to run, save, load and retrain, and live job progress.
import { getJson } from './api.js'
import { PipelineCard } from './card.js'
import { el } from './dom.js'
import { followJobs } from './jobs.js'

const cards = new Map<string, PipelineCard>()
let pending: ReturnType<typeof setTimeout> | undefined

/** Redraws every pipeline soon (several changes in a row redraw once). */
function refreshSoon(): void {
  clearTimeout(pending)
  pending = setTimeout(() => {
    for (const card of cards.values()) void card.refresh().catch(showProblem)
  }, 150)
}

function showProblem(err: unknown): void {
  const box = document.getElementById('pipelines')!
  box.prepend(el('p', { class: 'misfit' }, `Could not read the app: ${(err as Error).message}`))
}

async function start(): Promise<void> {
  const box = document.getElementById('pipelines')!
  const names = await getJson<string[]>('available_pipelines')
  for (const name of names) {
    const card = new PipelineCard(name, refreshSoon)
    cards.set(name, card)
    box.append(card.root)
  }
  await Promise.all([...cards.values()].map((c) => c.refresh()))
  document.body.dataset.ready = 'true'
  followJobs({
    ended(data) {
      if (data.pipeline) cards.get(data.pipeline)?.jobEnded(data.job_id, data, data.job_status === 'failed')
      refreshSoon()
    },
    plan(run) {
      cards.get(run.pipeline)?.planRun(run)
      if (run.status !== 'running') refreshSoon()
    },
  })
}

start().catch(showProblem)
