import { getJson, postJson, seg } from './api.js'
import { el, short } from './dom.js'
import type { StatesJson } from './types.js'

/**
 * Shows a node's saved states (newest first) with their lineage in the side panel; each state
 * that fits its current upstream can be loaded (a pin), the one serving is marked.
 */
export async function showDetails(pipeline: string, node: string, onLoaded: () => void): Promise<void> {
  const box = document.getElementById('details')!
  box.replaceChildren(el('p', { class: 'empty' }, `Loading ${node}…`))
  let data: StatesJson
  try {
    data = await getJson<StatesJson>(`pipelines/${seg(pipeline)}/nodes/${seg(node)}/states`)
  } catch (err) {
    box.replaceChildren(el('p', { class: 'misfit' }, (err as Error).message))
    return
  }
  const head = el(
    'div',
    { class: 'details-head' },
    el('b', {}, data.node),
    ` (${data.op}) in ${data.pipeline}: `,
    el('span', { class: `status-${data.status}` }, data.status),
    data.serving === null ? '' : ` · serving state #${data.serving}`,
  )
  if (data.states.length === 0) {
    box.replaceChildren(head, el('p', { class: 'empty' }, 'No saved state for this node.'))
    return
  }
  const rows = [...data.states].reverse().map((s) => {
    const lineage = Object.entries(s.lineage).map(([up, v]) => {
      const bad = s.mismatch?.upstream === up
      return el(
        'div',
        { class: bad ? 'misfit' : 'fits' },
        `${up} `,
        el('code', {}, short(v)),
        bad && s.mismatch ? ` ≠ now ${short(s.mismatch.current)}` : '',
      )
    })
    const load = el('button', { 'data-seq': String(s.seq) }, 'Load')
    load.disabled = !s.fits || !s.currentCode || s.serving
    load.addEventListener('click', async () => {
      load.disabled = true
      try {
        await postJson(`pipelines/${seg(pipeline)}/load`, { pin: { [node]: s.seq } })
      } catch (err) {
        alert((err as Error).message)
      }
      onLoaded()
      void showDetails(pipeline, node, onLoaded)
    })
    return el(
      'tr',
      { class: s.serving ? 'serving' : '', 'data-seq': String(s.seq) },
      el('td', {}, `#${s.seq}`),
      el(
        'td',
        {},
        el('code', {}, short(s.version)),
        s.currentCode ? '' : el('div', { class: 'empty' }, 'other code'),
      ),
      el('td', {}, new Date(s.savedAt).toLocaleString(), el('div', { class: 'empty' }, s.savedBy ?? '')),
      el('td', {}, ...(lineage.length ? lineage : ['—'])),
      el('td', {}, load),
    )
  })
  const table = el(
    'table',
    { class: 'states' },
    el(
      'thead',
      {},
      el('tr', {}, ...['save', 'version', 'saved', 'trained on', ''].map((h) => el('th', {}, h))),
    ),
    el('tbody', {}, ...rows),
  )
  box.replaceChildren(head, table)
}
