import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const script = fileURLToPath(new URL('./fixtures/core-only.mjs', import.meta.url))
const distDir = fileURLToPath(new URL('../dist/', import.meta.url))

/** Every module specifier imported (statically or dynamically) or required by a built file. */
function importedSpecifiers(dir: string): Map<string, string[]> {
  const found = new Map<string, string[]>()
  const patterns = [
    /\bimport\s+[^'"()]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bexport\s+[^'"()]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ]
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue
    const file = join(entry.parentPath, entry.name)
    const text = readFileSync(file, 'utf8')
    for (const re of patterns) {
      for (const m of text.matchAll(re)) {
        const files = found.get(m[1]!) ?? []
        files.push(file)
        found.set(m[1]!, files)
      }
    }
  }
  return found
}

describe('@chariots/core alone', () => {
  it('builds and runs a pipeline from a plain Node script importing only @chariots/core', async () => {
    const outputs = []
    for (const input of [4, 5]) {
      const { stdout } = await run(process.execPath, [script, String(input)], { timeout: 20_000 })
      outputs.push(JSON.parse(stdout.trim().split('\n').at(-1)!))
    }
    const [even, odd] = outputs
    expect(even.resolved).toBe(`file://${distDir}index.js`)
    expect(even).toMatchObject({ sequential: true, concurrent: true, httpLoaded: [] })
    expect(odd).toMatchObject({ sequential: false, concurrent: false, httpLoaded: [] })
    expect(even.versions.addoneop).toMatch(/^[0-9a-f]{40}$/)
    expect(even.versions.isoddop).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709')
  })

  it("built code imports nothing of hono, bullmq, ioredis or node's http", () => {
    const specifiers = importedSpecifiers(distDir)
    // The scan sees imports at all (a broken pattern would find nothing and pass).
    expect(specifiers.has('node:crypto')).toBe(true)
    expect(specifiers.has('./pipeline/pipeline.js')).toBe(true)
    const banned = [...specifiers.keys()].filter((s) =>
      /^(hono|hono\/.*|@hono\/.*|bullmq|bullmq\/.*|ioredis|ioredis\/.*|(node:)?(http|https|http2)(\/.*)?)$/.test(
        s,
      ),
    )
    expect(banned.map((s) => `${s} in ${specifiers.get(s)!.join(', ')}`)).toEqual([])
  })
})
