import { LINK_COLOR, type PipelineGraph, STATUS_COLOR } from './pipeline-graph.js'

const W = 150
const H = 56
const IO_W = 70
const GAP_X = 44
const GAP_Y = 22
const PAD = 16

/**
 * The graph as a standalone SVG document (colours inline, so it reads the same in a file, a
 * README or the dashboard). Each box is a `<g data-node="name">` and each arrow a
 * `<path data-from data-to>`, with a `<title>` tooltip, so a page can style and click them.
 *
 * @example
 * ```ts
 * await writeFile('pred_iris.svg', graphToSvg(layoutGraph(await app.host.analyze('pred_iris'))))
 * ```
 */
export function graphToSvg(graph: PipelineGraph): string {
  const colX = (layer: number) => PAD + layer * (W + GAP_X)
  const rowY = (row: number) => PAD + row * (H + GAP_Y)
  const width = PAD * 2 + graph.layers * W + Math.max(0, graph.layers - 1) * GAP_X
  const height = PAD * 2 + Math.max(1, graph.rows) * H + Math.max(0, graph.rows - 1) * GAP_Y
  const box = new Map(
    graph.nodes.map((n) => {
      const w = n.status === 'io' ? IO_W : W
      const x = colX(n.layer) + (n.status === 'io' ? (W - IO_W) / 2 : 0)
      return [n.id, { x, y: rowY(n.row), w }]
    }),
  )
  const markers = Object.entries(LINK_COLOR)
    .map(
      ([status, color]) =>
        `<marker id="arrow-${status}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="${color}"/></marker>`,
    )
    .join('')
  const links = graph.links
    .map((l) => {
      const a = box.get(l.from)
      const b = box.get(l.to)
      if (!a || !b) return ''
      const x1 = a.x + a.w
      const y1 = a.y + H / 2
      const x2 = b.x
      const y2 = b.y + H / 2
      const mid = (x1 + x2) / 2
      const color = LINK_COLOR[l.status]
      const width = l.status === 'none' ? 1.5 : 2.5
      return `<path class="link link-${l.status}" data-from="${esc(l.from)}" data-to="${esc(l.to)}" d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}" fill="none" stroke="${color}" stroke-width="${width}"${l.status === 'none' ? ' stroke-dasharray="4 3"' : ''} marker-end="url(#arrow-${l.status})"><title>${esc(l.title)}</title></path>`
    })
    .join('\n')
  const nodes = graph.nodes
    .map((n) => {
      const { x, y, w } = box.get(n.id)!
      const color = STATUS_COLOR[n.status]
      const io = n.status === 'io'
      const name = `<text x="${w / 2}" y="${io ? H / 2 + 4 : 22}" text-anchor="middle" font-weight="600" font-size="13" fill="#212121">${esc(clip(n.label, 19))}</text>`
      const detail = io
        ? ''
        : `<text x="${w / 2}" y="39" text-anchor="middle" font-size="11" fill="#424242" font-family="ui-monospace, monospace">${esc(clip(n.detail, 22))}</text><text x="${w / 2}" y="51" text-anchor="middle" font-size="10" fill="${color}">${esc(n.status)}</text>`
      return `<g class="node status-${n.status}" data-node="${esc(n.id)}" transform="translate(${x},${y})"><title>${esc(n.title)}</title><rect width="${w}" height="${H}" rx="${io ? H / 2 : 8}" fill="#fff" stroke="${color}" stroke-width="${n.status === 'stale' || n.status === 'upstream' ? 3 : 2}"/>${name}${detail}</g>`
    })
    .join('\n')
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chariots-graph" data-pipeline="${esc(graph.pipeline)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" role="img" aria-label="pipeline ${esc(graph.pipeline)}">`,
    `<defs>${markers}</defs>`,
    links,
    nodes,
    '</svg>',
  ].join('\n')
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
}
