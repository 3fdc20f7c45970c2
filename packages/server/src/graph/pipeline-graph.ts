import type { LinkAnalysis, NodeAnalysis, NodeStatus, PipelineAnalysis } from '@chariots/core'

/** A box of a {@link PipelineGraph}, placed by {@link layoutGraph}. */
export interface GraphNode {
  readonly id: string
  /** The node's name (`input` and `output` for the pipeline's own ends). */
  readonly label: string
  /** The op's name and short version, e.g. `pca · 1a2b3c4d`. */
  readonly detail: string
  readonly status: NodeStatus | 'io'
  /** Layer (left to right) and row (top to bottom). */
  readonly layer: number
  readonly row: number
  /** A line saying where the node stands, for tooltips. */
  readonly title: string
}

/** An arrow of a {@link PipelineGraph}. */
export interface GraphLink {
  readonly from: string
  readonly to: string
  readonly status: LinkAnalysis['status']
  readonly title: string
}

/** A pipeline's top-level DAG laid out left to right, ready to draw. */
export interface PipelineGraph {
  readonly pipeline: string
  readonly loadable: boolean
  readonly nodes: readonly GraphNode[]
  readonly links: readonly GraphLink[]
  readonly layers: number
  readonly rows: number
}

/** Status colours shared by every picture (SVG, DOT, Mermaid). */
export const STATUS_COLOR: Readonly<Record<GraphNode['status'], string>> = {
  ok: '#2e7d32',
  stale: '#c62828',
  missing: '#ef6c00',
  upstream: '#c62828',
  fresh: '#6d4c41',
  trains: '#1565c0',
  data: '#00838f',
  plain: '#616161',
  io: '#9e9e9e',
}

/** Link colours: trained on the current upstream (green), upstream changed since (red), no state (grey). */
export const LINK_COLOR: Readonly<Record<GraphLink['status'], string>> = {
  valid: '#2e7d32',
  stale: '#d32f2f',
  none: '#9e9e9e',
}

const INPUT = '__pipeline_input__'
const OUTPUT = '__pipeline_output__'

/**
 * The top-level DAG of an analysed pipeline, laid out in layers left to right: each node one layer
 * right of its furthest input, rows ordered by the mean row of the inputs (fewer crossings), with
 * the pipeline's input and output as small end boxes.
 *
 * @example
 * ```ts
 * const graph = layoutGraph(await app.host.analyze('pred_iris'))
 * graph.nodes.map((n) => [n.label, n.layer]) // [['input', 0], ['pca', 1], …]
 * ```
 */
export function layoutGraph(analysis: PipelineAnalysis): PipelineGraph {
  const top = analysis.nodes.filter((n) => n.parent === null)
  const usesInput = top.some((n) => n.inputs.includes(INPUT))
  const usesOutput = analysis.links.some((l) => l.to === OUTPUT)
  const layerOf = new Map<string, number>()
  if (usesInput) layerOf.set(INPUT, 0)
  for (const n of top) {
    const layers = n.inputs.map((i) => layerOf.get(i) ?? -1)
    layerOf.set(n.name, Math.max(usesInput ? 0 : -1, ...layers) + 1)
  }
  const last = Math.max(0, ...layerOf.values())
  if (usesOutput) layerOf.set(OUTPUT, last + 1)
  const ids = [...(usesInput ? [INPUT] : []), ...top.map((n) => n.name), ...(usesOutput ? [OUTPUT] : [])]
  const inputsOf = new Map<string, readonly string[]>(top.map((n) => [n.name, n.inputs]))
  if (usesOutput)
    inputsOf.set(
      OUTPUT,
      analysis.links.filter((l) => l.to === OUTPUT).map((l) => l.from),
    )
  const rowOf = new Map<string, number>()
  const layers = Math.max(0, ...layerOf.values()) + 1
  let rows = 0
  for (let layer = 0; layer < layers; layer++) {
    const here = ids.filter((id) => (layerOf.get(id) ?? 0) === layer)
    const weight = (id: string) => {
      const rs = (inputsOf.get(id) ?? []).map((i) => rowOf.get(i)).filter((r) => r !== undefined)
      return rs.length ? rs.reduce((a, b) => a + b, 0) / rs.length : 0
    }
    here
      .map((id, order) => ({ id, w: weight(id), order }))
      .sort((a, b) => a.w - b.w || a.order - b.order)
      .forEach(({ id }, row) => {
        rowOf.set(id, row)
      })
    rows = Math.max(rows, here.length)
  }
  const byName = new Map(top.map((n) => [n.name, n]))
  const nodes = ids.map((id) => {
    const at = { layer: layerOf.get(id) ?? 0, row: rowOf.get(id) ?? 0 }
    const n = byName.get(id)
    if (!n) {
      const label = id === INPUT ? 'input' : 'output'
      return { id, label, detail: '', status: 'io' as const, ...at, title: `the pipeline's ${label}` }
    }
    return { id, label: n.name, detail: detailOf(n), status: n.status, ...at, title: titleOf(n) }
  })
  const links = analysis.links.map((l) => ({ from: l.from, to: l.to, status: l.status, title: linkTitle(l) }))
  return { pipeline: analysis.pipeline, loadable: analysis.loadable, nodes, links, layers, rows }
}

/** The first 8 hex digits of a version's major hash (what tells two versions apart at a glance). */
export function shortVersion(version: string): string {
  return version.slice(0, 8)
}

function detailOf(n: NodeAnalysis): string {
  const op = n.op === n.name ? '' : `${n.op} · `
  return `${op}${shortVersion(n.version)}`
}

function titleOf(n: NodeAnalysis): string {
  const where: Record<NodeStatus, string> = {
    ok: n.seq === null ? 'loads a state that fits its upstream' : `loads saved state #${n.seq}`,
    stale: `stale: ${n.stale.map((s) => `trained on ${s.upstream} ${shortVersion(s.trainedWith)}, now ${shortVersion(s.current)}`).join('; ') || 'no saved state fits its upstream'}`,
    missing: 'never trained: no saved state for its code',
    upstream: `must be retrained after its upstream '${n.because ?? '?'}'`,
    fresh: 'no saved state fits: runs with a fresh state',
    trains: 'trains on every run',
    data: n.file
      ? `${n.file.writes ? 'writes' : 'reads'} ${n.file.path}${n.file.exists ? '' : ' (missing)'}`
      : 'data',
    plain: 'holds no state',
  }
  return `${n.name} (${n.op}) ${n.version}: ${where[n.status]}`
}

function linkTitle(l: LinkAnalysis): string {
  if (l.status === 'stale') {
    return l.trainedWith
      ? `${l.to} was trained on ${l.from} ${shortVersion(l.trainedWith)}${l.current ? `, now ${shortVersion(l.current)}` : ''}`
      : `${l.from} must be retrained first, then ${l.to}`
  }
  if (l.status === 'valid') return `${l.to} was trained on the current ${l.from}`
  return `${l.from} → ${l.to}`
}
