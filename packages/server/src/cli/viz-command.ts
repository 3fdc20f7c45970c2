import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { Client } from '../client/client.js'
import { graphToSvg } from '../graph/graph-svg.js'
import { graphToDot, graphToMermaid } from '../graph/graph-text.js'
import { layoutGraph } from '../graph/pipeline-graph.js'
import { loadApp } from './load-app.js'
import { reachServer } from './reach-server.js'
import { UsageError } from './usage-error.js'

const RENDER = { mermaid: graphToMermaid, dot: graphToDot, svg: graphToSvg } as const

/**
 * `chariots viz <pipeline>`: the pipeline's DAG as a picture, with no browser: Mermaid (for
 * Markdown), Graphviz DOT or a standalone SVG, each box with its op and short version and coloured
 * by where it stands, each link green (trained on the current upstream), red (the upstream changed
 * since) or grey. From a running server (`--url`, default; `GET /pipelines/:name/graph?format=`),
 * or from an app module (`--module`: the store is read here, nothing is served). Prints it, or
 * writes it to `--out`.
 *
 * @example
 * ```sh
 * chariots viz pred_iris --format svg --out pred_iris.svg
 * chariots viz pred_iris --module app.ts             # Mermaid on stdout
 * ```
 */
export async function vizCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', short: 'f', default: 'mermaid' },
      module: { type: 'string', short: 'm' },
      url: { type: 'string', short: 'u', default: process.env.CHARIOTS_URL ?? 'http://127.0.0.1:5000' },
      token: { type: 'string', default: process.env.CHARIOTS_TOKEN },
      out: { type: 'string', short: 'o' },
    },
  })
  const [pipeline, ...extra] = positionals
  if (!pipeline || extra.length > 0) throw new UsageError('expected the name of one pipeline')
  const format = values.format
  if (!Object.hasOwn(RENDER, format)) {
    throw new UsageError(`--format must be mermaid, dot or svg, got '${format}'`)
  }
  const picture = values.module
    ? await fromModule(values.module, pipeline, format as keyof typeof RENDER)
    : await reachServer(values.url, async () => {
        const client = new Client(values.url, values.token === undefined ? {} : { token: values.token })
        return String(await client.pipelineGraph(pipeline, format as keyof typeof RENDER))
      })
  if (values.out) await writeFile(values.out, picture)
  else process.stdout.write(picture)
}

async function fromModule(
  modulePath: string,
  pipeline: string,
  format: keyof typeof RENDER,
): Promise<string> {
  process.env.CHARIOTS_AUTOLOAD = '0' // the picture reads the store; the app need not load its pipelines
  const { app } = await loadApp(modulePath)
  try {
    return RENDER[format](layoutGraph(await app.host.analyze(pipeline)))
  } finally {
    await app.close?.()
  }
}
