// docs/WIRE.md is the wire format the code cites: it must exist, describe every route the server
// serves, and be what every citation in the packages points to.
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isOddPipeline } from '@chariots/testing'
import { describe, expect, it } from 'vitest'
import { buildOpenApi } from '../src/index.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const WIRE = join(ROOT, 'docs/WIRE.md')

/** Every source, test and README file of the packages (no node_modules, no dist). */
async function packageFiles(dir = join(ROOT, 'packages')): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const files = await Promise.all(
    entries.map(async (e) => {
      const path = join(dir, e.name)
      if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : packageFiles(path)
      return /\.(ts|md|mjs)$/.test(e.name) ? [path] : []
    }),
  )
  return files.flat()
}

describe('docs/WIRE.md', () => {
  it('names every route the server serves (as its OpenAPI document lists them)', async () => {
    const doc = await readFile(WIRE, 'utf8')
    const routes = Object.keys(buildOpenApi([isOddPipeline()], { auth: false }).paths).map((path) =>
      path.replace('/pipelines/is_odd/', '/pipelines/<name>/').replace(/\{(\w+)\}/g, '<$1>'),
    )
    expect(routes.length).toBeGreaterThanOrEqual(10)
    const missing = routes.filter((route) => !doc.includes(route))
    expect(missing).toEqual([])
  })

  it('describes the error body with its details, and the job fields progress and error', async () => {
    const doc = await readFile(WIRE, 'utf8')
    for (const text of ['"details"', '"progress"', '"error"', 'JOB_STALLED', 'PipelineNotLoadedError']) {
      expect(doc).toContain(text)
    }
  })

  it('is what every citation of WIRE.md in the packages points to', async () => {
    const citing: string[] = []
    for (const file of await packageFiles()) {
      const text = await readFile(file, 'utf8')
      if (file.endsWith('wire-doc.test.ts') || !text.includes('WIRE.md')) continue
      const bare = text.replaceAll('docs/WIRE.md', '')
      if (bare.includes('WIRE.md')) citing.push(relative(ROOT, file))
    }
    expect(citing).toEqual([])
  })
})
