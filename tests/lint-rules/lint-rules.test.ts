// The import rules of `pnpm lint` (.dependency-cruiser.cjs) run on fixture packages that break
// each rule once, and on the workspace itself, which must break none.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const here = fileURLToPath(new URL('.', import.meta.url))

function cruise(cwd: string, paths: string[]) {
  const bin = `${root}node_modules/dependency-cruiser/bin/dependency-cruise.mjs`
  const run = spawnSync(
    process.execPath,
    [bin, ...paths, '--config', `${root}.dependency-cruiser.cjs`, '--output-type', 'err'],
    {
      cwd,
      encoding: 'utf8',
    },
  )
  return { status: run.status, out: run.stdout + run.stderr }
}

describe('the import rules of pnpm lint', () => {
  it('report a value-level cycle, a reach into another package src/, and bullmq in the server', () => {
    const { status, out } = cruise(`${here}fixtures`, ['packages'])
    expect(status).not.toBe(0)
    expect(out).toMatch(/no-circular: packages\/alpha\/src\/a\.ts/)
    expect(out).toMatch(/no-cross-package-src: packages\/beta\/src\/reach\.ts → packages\/alpha\/src\/a\.ts/)
    expect(out).toMatch(/server-without-bullmq: packages\/server\/src\/queue\.ts/)
    // A cycle of type-only imports is not one.
    expect(out).not.toMatch(/types-only\.ts|other\.ts/)
  })

  it('find nothing in the workspace', () => {
    const { status, out } = cruise(root, ['packages', 'apps'])
    expect(out).toContain('no dependency violations found')
    expect(status).toBe(0)
  })
})
