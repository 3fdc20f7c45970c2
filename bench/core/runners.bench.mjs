// Runner overhead: a 10-node chain and a diamond (a -> (b, c) -> d), each run N times with both
// runners, side by side with the same op instances called by hand. Variants alternate in rounds;
// figures are medians. Run: `node bench/core/runners.bench.mjs [--json] [--runs N] [--rounds N]`.
import { pathToFileURL } from 'node:url'
import { BaseOp, ConcurrentRunner, Node, Pipeline, ReservedNodes, SequentialRunner } from '@chariots/core'

const IN = ReservedNodes.pipelineInput
const OUT = ReservedNodes.pipelineOutput
const CHAIN_LENGTH = 10

class AddOneOp extends BaseOp {
  static opName = 'addone'
  execute(x) {
    return x + 1
  }
}

class SumOp extends BaseOp {
  static opName = 'sum'
  execute(a, b) {
    return a + b
  }
}

function buildChain() {
  const ops = Array.from({ length: CHAIN_LENGTH }, () => new AddOneOp())
  const nodes = ops.map(
    (op, i) =>
      new Node(op, {
        name: `add_${i}`,
        inputNodes: [i === 0 ? IN : `v${i - 1}`],
        outputNodes: i === CHAIN_LENGTH - 1 ? OUT : `v${i}`,
      }),
  )
  const pipeline = new Pipeline(nodes, 'chain')
  const byHand = async (x) => {
    for (const op of ops) x = await op.execute(x)
    return x
  }
  return { pipeline, byHand, nodes: CHAIN_LENGTH }
}

function buildDiamond() {
  const [a, b, c, d] = [new AddOneOp(), new AddOneOp(), new AddOneOp(), new SumOp()]
  const pipeline = new Pipeline(
    [
      new Node(a, { name: 'a', inputNodes: [IN], outputNodes: 'a' }),
      new Node(b, { name: 'b', inputNodes: ['a'], outputNodes: 'b' }),
      new Node(c, { name: 'c', inputNodes: ['a'], outputNodes: 'c' }),
      new Node(d, { name: 'd', inputNodes: ['b', 'c'], outputNodes: OUT }),
    ],
    'diamond',
  )
  const byHand = async (x) => {
    const va = await a.execute(x)
    const vb = await b.execute(va)
    const vc = await c.execute(va)
    return await d.execute(vb, vc)
  }
  return { pipeline, byHand, nodes: 4 }
}

function variants() {
  const chain = buildChain()
  const diamond = buildDiamond()
  const sequential = new SequentialRunner()
  const concurrent = new ConcurrentRunner()
  const graph = (name, g, expected) => [
    { name: `${name} by hand`, graph: name, runner: 'hand', nodes: g.nodes, call: g.byHand, expected },
    {
      name: `${name} SequentialRunner`,
      graph: name,
      runner: 'sequential',
      nodes: g.nodes,
      call: (x) => sequential.run(g.pipeline, x),
      expected,
    },
    {
      name: `${name} ConcurrentRunner`,
      graph: name,
      runner: 'concurrent',
      nodes: g.nodes,
      call: (x) => concurrent.run(g.pipeline, x),
      expected,
    },
  ]
  return [...graph('chain', chain, (x) => x + CHAIN_LENGTH), ...graph('diamond', diamond, (x) => 2 * x + 4)]
}

/** Runs `call` on 0..runs-1 in a loop and returns the elapsed nanoseconds. */
async function time(variant, runs) {
  const { call } = variant
  let check = 0
  const start = process.hrtime.bigint()
  for (let i = 0; i < runs; i++) check += await call(i)
  const elapsed = Number(process.hrtime.bigint() - start)
  let want = 0
  for (let i = 0; i < runs; i++) want += variant.expected(i)
  if (check !== want) throw new Error(`${variant.name} computed ${check}, expected ${want}`)
  return elapsed
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * Runs the benchmark and returns its figures (nothing printed unless `log` is given).
 * @param {{ runs?: number, rounds?: number, warmupRuns?: number, log?: (line: string) => void }} [options]
 */
export async function runRunnersBench({ runs = 100_000, rounds = 5, warmupRuns = 20_000, log } = {}) {
  const vs = variants()
  for (const v of vs) await time(v, warmupRuns)
  const samples = new Map(vs.map((v) => [v.name, []]))
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round so no variant always runs first or after the same neighbour.
    for (let k = 0; k < vs.length; k++) {
      const v = vs[(k + r) % vs.length]
      samples.get(v.name).push(await time(v, runs))
    }
    log?.(`round ${r + 1}/${rounds} done`)
  }
  const handChain = median(samples.get('chain by hand')) / runs
  const results = vs.map((v) => {
    const perRun = median(samples.get(v.name)) / runs
    const hand = median(samples.get(`${v.graph} by hand`)) / runs
    return {
      variant: v.name,
      graph: v.graph,
      runner: v.runner,
      nodes: v.nodes,
      nsPerRun: perRun,
      nsPerNode: perRun / v.nodes,
      ratioToHandChain: perRun / handChain,
      ratioToHandSameGraph: perRun / hand,
    }
  })
  const chainRatio = (runner) =>
    results.find((x) => x.graph === 'chain' && x.runner === runner).ratioToHandChain
  return {
    runs,
    rounds,
    node: process.version,
    results,
    sequentialVsHandChain: chainRatio('sequential'),
    concurrentVsHandChain: chainRatio('concurrent'),
    target: 2,
  }
}

/** The human-readable table of {@link runRunnersBench}'s figures. */
export function formatRunnersBench(figures) {
  const rows = [['variant', 'µs/run', 'ns/node', 'x hand chain', 'x hand same graph']]
  for (const r of figures.results) {
    rows.push([
      r.variant,
      (r.nsPerRun / 1000).toFixed(3),
      r.nsPerNode.toFixed(0),
      r.ratioToHandChain.toFixed(2),
      r.ratioToHandSameGraph.toFixed(2),
    ])
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)))
  const line = (row) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')
  const verdict = (ratio) => (ratio <= figures.target ? 'within' : 'OVER')
  return [
    `core runners: ${figures.runs} runs per variant, median of ${figures.rounds} rounds, node ${figures.node}`,
    ...rows.map(line),
    `SequentialRunner: ${figures.sequentialVsHandChain.toFixed(2)}x the hand-written 10-node chain (${verdict(figures.sequentialVsHandChain)} the ${figures.target}x target)`,
    `ConcurrentRunner: ${figures.concurrentVsHandChain.toFixed(2)}x the hand-written 10-node chain`,
  ].join('\n')
}

function option(name, fallback) {
  const i = process.argv.indexOf(name)
  return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const json = process.argv.includes('--json')
  const figures = await runRunnersBench({
    runs: option('--runs', 100_000),
    rounds: option('--rounds', 5),
    log: (l) => console.error(l),
  })
  console.log(formatRunnersBench(figures))
  if (json) console.log(JSON.stringify({ bench: 'core', ...figures }))
}
