// Runs the whole test suite (build first), then prints one plain `tests: N passed, N failed` line.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' }
const build = spawnSync('pnpm', ['run', 'build'], { stdio: 'inherit', env })
if (build.status !== 0) {
  console.log('tests: 0 passed, 1 failed')
  process.exit(build.status ?? 1)
}
// Lint and format check first (biome, about a second): style drift fails the run like a test.
const lint = spawnSync('pnpm', ['run', 'lint'], { stdio: 'inherit', env })
if (lint.status !== 0) {
  console.log('tests: 0 passed, 1 failed (pnpm lint failed: run `pnpm format` and fix what remains)')
  process.exit(lint.status ?? 1)
}
// Type-check every test file (the packages' builds cover only src/): a type error fails the run.
const typecheck = spawnSync(process.execPath, ['scripts/typecheck-tests.mjs'], { stdio: 'inherit', env })
if (typecheck.status !== 0) {
  console.log('tests: 0 passed, 1 failed (type errors in test files: see above)')
  process.exit(typecheck.status ?? 1)
}
mkdirSync('.test-results', { recursive: true })
const out = '.test-results/vitest.json'
const args = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile=${out}`,
  ...process.argv.slice(2),
]
const run = spawnSync('pnpm', ['exec', ...args], { stdio: 'inherit', env })
if (existsSync(out)) {
  const r = JSON.parse(readFileSync(out, 'utf8'))
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
  console.log(
    `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`,
  )
} else {
  console.log('tests: 0 passed, 1 failed')
}
process.exit(run.status ?? 1)
