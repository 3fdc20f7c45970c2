import { apiUrl } from './api.js'
import { el } from './dom.js'
import type { JobEventData, PlanRun } from './types.js'

/** What the page does with events. */
export interface JobHandlers {
  /** A job ended (done or failed). */
  ended(data: JobEventData): void
  /** A plan run changed. */
  plan(run: PlanRun): void
}

const STATUSES = ['queued', 'running', 'done', 'failed', 'deferred']

/**
 * Follows `GET /events` (every job of the app) with an EventSource, which reconnects by itself
 * and resumes from the last event id, and draws one row per job with a live progress bar.
 */
export function followJobs(handlers: JobHandlers): EventSource {
  const list = document.getElementById('jobs')!
  const empty = document.getElementById('jobs-empty')!
  const connection = document.getElementById('connection')!
  const source = new EventSource(apiUrl('events'), { withCredentials: true })
  source.onopen = () => {
    connection.textContent = 'live'
    connection.classList.add('live')
  }
  source.onerror = () => {
    connection.textContent = 'reconnecting…'
    connection.classList.remove('live')
  }
  for (const status of STATUSES) {
    source.addEventListener(status, (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as JobEventData
      empty.hidden = true
      draw(list, data)
      if (status === 'done' || status === 'failed') handlers.ended(data)
    })
  }
  source.addEventListener('plan', (event) => handlers.plan(JSON.parse((event as MessageEvent<string>).data)))
  return source
}

function draw(list: HTMLElement, data: JobEventData): void {
  let row = list.querySelector<HTMLElement>(`li[data-job="${CSS.escape(data.job_id)}"]`)
  if (!row) {
    row = el(
      'li',
      { class: 'job', 'data-job': data.job_id },
      el(
        'div',
        { class: 'line' },
        el(
          'span',
          {},
          el('b', {}, data.pipeline ?? '?'),
          ' ',
          el('span', { class: 'id' }, data.job_id.slice(0, 8)),
        ),
        el('span', {}, el('span', { class: 'status' }), ' ', el('span', { class: 'percent' })),
      ),
      el('div', { class: 'bar' }, el('div', { class: 'fill' })),
      el('div', { class: 'error' }),
    )
    list.prepend(row)
  }
  const share = data.job_status === 'done' ? 1 : typeof data.progress === 'number' ? data.progress : 0
  const percent = `${Math.round(Math.min(1, Math.max(0, share)) * 100)}%`
  row.className = `job ${data.job_status}`
  row.dataset.progress = String(share)
  row.querySelector('.status')!.textContent = data.job_status
  row.querySelector('.percent')!.textContent = percent
  row.querySelector<HTMLElement>('.fill')!.style.width = percent
  row.querySelector('.error')!.textContent = data.error ? `${data.error.code}: ${data.error.message}` : ''
}
