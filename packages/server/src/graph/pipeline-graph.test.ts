import type { NodeAnalysis, PipelineAnalysis } from '@chariots/core'
import { describe, expect, it } from 'vitest'
import { graphToSvg } from './graph-svg.js'
import { graphToDot, graphToMermaid } from './graph-text.js'
import { layoutGraph } from './pipeline-graph.js'

const V = (major: string) => `${major.padEnd(40, '0')}.${'0'.repeat(40)}.${'0'.repeat(40)}_1`
const node = (name: string, inputs: string[], status: NodeAnalysis['status'], op = name): NodeAnalysis => ({
  name,
  op,
  kind: status === 'data' ? 'data' : 'model',
  status,
  parent: null,
  inputs,
  version: V(name === 'a' ? 'aa' : 'bb'),
  serving: null,
  seq: null,
  lineage: null,
  states: 0,
  file: null,
  stale: [],
  because: null,
})

// input → a → (b, c) → d → output: a diamond, with a stale link c → d.
const analysis: PipelineAnalysis = {
  pipeline: 'diamond',
  loadable: false,
  nodes: [
    node('a', ['__pipeline_input__'], 'data', 'dataloadingop'),
    node('b', ['a'], 'ok'),
    node('c', ['a'], 'ok'),
    node('d', ['b', 'c'], 'stale'),
  ],
  links: [
    { from: '__pipeline_input__', to: 'a', status: 'none', trainedWith: null, current: null },
    { from: 'a', to: 'b', status: 'valid', trainedWith: V('aa'), current: V('aa') },
    { from: 'a', to: 'c', status: 'valid', trainedWith: V('aa'), current: V('aa') },
    { from: 'b', to: 'd', status: 'valid', trainedWith: V('bb'), current: V('bb') },
    { from: 'c', to: 'd', status: 'stale', trainedWith: V('cc'), current: V('bb') },
    { from: 'd', to: '__pipeline_output__', status: 'none', trainedWith: null, current: null },
  ],
}

describe('layoutGraph and its pictures', () => {
  it('puts each node one layer right of its furthest input, siblings in rows, the ends as small boxes', () => {
    const graph = layoutGraph(analysis)
    expect(graph.nodes.map((n) => [n.id, n.layer, n.row])).toEqual([
      ['__pipeline_input__', 0, 0],
      ['a', 1, 0],
      ['b', 2, 0],
      ['c', 2, 1],
      ['d', 3, 0],
      ['__pipeline_output__', 4, 0],
    ])
    expect(graph).toMatchObject({ layers: 5, rows: 2 })
    expect(graph.nodes.find((n) => n.id === 'a')!.detail).toBe('dataloadingop · aa000000')
    expect(graph.links.find((l) => l.from === 'c')!.title).toBe('d was trained on c cc000000, now bb000000')
  })

  it('draws stale links red and valid ones green, in SVG, DOT and Mermaid', () => {
    const graph = layoutGraph(analysis)
    const svg = graphToSvg(graph)
    expect(svg).toMatch(/<path class="link link-stale" data-from="c" data-to="d"[^>]*stroke="#d32f2f"/)
    expect(svg).toMatch(/<path class="link link-valid" data-from="b" data-to="d"[^>]*stroke="#2e7d32"/)
    expect(svg).toContain('<g class="node status-stale" data-node="d"')
    const dot = graphToDot(graph)
    expect(dot).toContain('"c" -> "d" [color="#d32f2f"')
    expect(dot).toContain('"a" -> "b" [color="#2e7d32"')
    const mermaid = graphToMermaid(graph)
    expect(mermaid.split('\n')[0]).toBe('flowchart LR')
    expect(mermaid).toContain('  n3 --> n4\n')
    expect(mermaid).toContain('  linkStyle 4 stroke:#d32f2f,stroke-width:3px')
  })
})
