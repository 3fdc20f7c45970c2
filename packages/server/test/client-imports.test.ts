import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const here = dirname(fileURLToPath(import.meta.url))
const clientEntry = resolve(here, '../dist/client/index.js')
const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm

/** Every bare specifier reachable from `entry`, following relative imports and @chariots packages. */
function reachableSpecifiers(entry: string): Set<string> {
  const seen = new Set<string>()
  const bare = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    // Comments hold examples (`import { Client } from '@chariots/server/client'`): skip them.
    const text = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '')
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3]!
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec))
      else {
        bare.add(spec)
        if (spec.startsWith('@chariots/')) visit(createRequire(file).resolve(spec))
      }
    }
  }
  visit(entry)
  return bare
}

describe('@chariots/server/client', () => {
  it('pulls no hono into its import graph (built files)', () => {
    expect(existsSync(clientEntry), 'build the package first: npx tsc -b').toBe(true)
    const specs = [...reachableSpecifiers(clientEntry)]
    expect(specs).toContain('@chariots/core')
    expect(specs.filter((s) => s === 'hono' || s.startsWith('hono/') || s.startsWith('@hono/'))).toEqual([])
    expect(specs.filter((s) => s === 'pino' || s.startsWith('@chariots/server'))).toEqual([])
  })

  it('the walker does see hono where it is imported (the main entry)', () => {
    expect([...reachableSpecifiers(resolve(here, '../dist/index.js'))]).toEqual(
      expect.arrayContaining(['hono', 'hono/cors']),
    )
  })
})
