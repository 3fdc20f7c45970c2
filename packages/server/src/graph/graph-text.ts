import { LINK_COLOR, type PipelineGraph, STATUS_COLOR } from './pipeline-graph.js'

/**
 * The graph as a Mermaid flowchart (left to right), for Markdown: boxes coloured by status, links
 * green (trained on the current upstream), red (the upstream changed since) or grey.
 *
 * @example
 * ```ts
 * graphToMermaid(layoutGraph(await app.host.analyze('pred_iris'))) // 'flowchart LR\n  n0(["input"]) …'
 * ```
 */
export function graphToMermaid(graph: PipelineGraph): string {
  const id = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]))
  const lines = ['flowchart LR']
  for (const n of graph.nodes) {
    const text = mermaidText(n.detail ? `${n.label}<br/>${n.detail}<br/>${n.status}` : n.label)
    lines.push(n.status === 'io' ? `  ${id.get(n.id)}(["${text}"])` : `  ${id.get(n.id)}["${text}"]`)
  }
  const styles: string[] = []
  graph.links.forEach((l, i) => {
    lines.push(`  ${id.get(l.from)} --> ${id.get(l.to)}`)
    styles.push(
      `  linkStyle ${i} stroke:${LINK_COLOR[l.status]},stroke-width:${l.status === 'none' ? 1 : 3}px`,
    )
  })
  for (const [status, color] of Object.entries(STATUS_COLOR)) {
    lines.push(`  classDef ${status} stroke:${color},stroke-width:2px`)
  }
  for (const n of graph.nodes) lines.push(`  class ${id.get(n.id)} ${n.status}`)
  return `${[...lines, ...styles].join('\n')}\n`
}

/**
 * The graph in Graphviz DOT (`dot -Tpng`), left to right, with the same colours.
 *
 * @example
 * ```ts
 * graphToDot(layoutGraph(await app.host.analyze('pred_iris'))) // 'digraph "pred_iris" { rankdir=LR; …'
 * ```
 */
export function graphToDot(graph: PipelineGraph): string {
  const lines = [
    `digraph ${dotId(graph.pipeline)} {`,
    '  rankdir=LR;',
    '  node [shape=box, style="rounded", fontname="Helvetica"];',
  ]
  for (const n of graph.nodes) {
    const label = n.detail ? `${n.label}\\n${n.detail}\\n${n.status}` : n.label
    const shape = n.status === 'io' ? ', shape=oval' : ''
    lines.push(
      `  ${dotId(n.id)} [label=${dotString(label)}, color="${STATUS_COLOR[n.status]}", tooltip=${dotString(n.title)}${shape}];`,
    )
  }
  for (const l of graph.links) {
    lines.push(
      `  ${dotId(l.from)} -> ${dotId(l.to)} [color="${LINK_COLOR[l.status]}", penwidth=${l.status === 'none' ? 1 : 2.5}, tooltip=${dotString(l.title)}];`,
    )
  }
  lines.push('}')
  return `${lines.join('\n')}\n`
}

function dotId(text: string): string {
  return dotString(text)
}

function dotString(text: string): string {
  // Keep the \n line breaks the labels use; escape quotes and other backslashes.
  return `"${text.replace(/\\(?!n)/g, '\\\\').replace(/"/g, '\\"')}"`
}

function mermaidText(text: string): string {
  return text.replace(/"/g, '#quot;')
}
