// Type-checks every test file of the workspace (the packages' tsconfig.json build only src/): one
// `tsc --noEmit` per project config, against the built packages' declarations. Prints the errors
// and how many test files it checked; exits 1 on any error. Run after `pnpm build`.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'

const projects = [
  ...readdirSync('packages').map((p) => join('packages', p, 'tsconfig.test.json')),
  ...readdirSync('apps').map((p) => join('apps', p, 'tsconfig.json')),
  ...readdirSync('tests').map((p) => join('tests', p, 'tsconfig.json')),
].filter((config) => existsSync(config))

const tsc = join('node_modules', 'typescript', 'bin', 'tsc')
let failed = 0
let testFiles = 0

/** Runs tsc on one project; resolves with its exit status and output. */
function check(config) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', config, '--listFiles'])
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (status) => resolve({ config, status, stdout, stderr }))
  })
}

const queue = [...projects]
const results = []
await Promise.all(
  Array.from({ length: Math.min(availableParallelism(), 2) }, async () => {
    while (queue.length > 0) results.push(await check(queue.shift()))
  }),
)
for (const { config, status, stdout, stderr } of results) {
  const run = { status, stdout, stderr }
  const lines = run.stdout.split('\n')
  const errors = lines.filter((l) => l.includes('error TS'))
  const dir = join(process.cwd(), config, '..')
  testFiles += lines.filter(
    (l) => l.startsWith(dir) && !l.includes('node_modules') && /\.test(-d)?\.ts$/.test(l),
  ).length
  if (run.status !== 0) {
    failed++
    console.error(`${config}:\n${errors.join('\n') || run.stdout + run.stderr}`)
  }
}
console.log(`typecheck: ${testFiles} test files in ${projects.length} projects, ${failed} with type errors`)
process.exit(failed === 0 ? 0 : 1)
