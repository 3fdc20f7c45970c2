// Runs every benchmark in bench/ (each prints its own table, then one JSON line with --json) and
// writes BENCHMARKS.md with the figures, the machine line and the date.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'
import { join } from 'node:path'

const only = process.argv.slice(2)
const benches = readdirSync('bench', { withFileTypes: true })
  .filter((d) => d.isDirectory() && (only.length === 0 || only.includes(d.name)))
  .flatMap((d) =>
    readdirSync(join('bench', d.name))
      .filter((f) => f.endsWith('.bench.mjs'))
      .map((f) => join('bench', d.name, f)),
  )

const sections = []
for (const file of benches) {
  console.log(`\n=== ${file}`)
  const r = spawnSync(process.execPath, [file, '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env },
  })
  process.stdout.write(r.stdout)
  const lines = r.stdout.trim().split('\n')
  const jsonLine = [...lines].reverse().find((l) => l.startsWith('{'))
  const table = lines.filter((l) => l !== jsonLine).join('\n')
  sections.push({ file, ok: r.status === 0, table, figures: jsonLine ? JSON.parse(jsonLine) : null })
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, Linux ${release()}`
const out = [
  '# Benchmarks',
  '',
  `Run with \`pnpm bench\` on ${new Date().toISOString().slice(0, 10)}; machine: ${machine}.`,
  'Each benchmark runs the things it compares side by side in one run and reports ratios: absolute',
  'figures drift a lot on shared machines, ratios much less.',
  '',
  ...sections.flatMap((s) => [
    `## ${s.file}${s.ok ? '' : ' (FAILED)'}`,
    '',
    '```',
    s.table.trim(),
    '```',
    '',
    ...(s.figures ? ['Figures (JSON):', '', '```json', JSON.stringify(s.figures, null, 2), '```', ''] : []),
  ]),
].join('\n')
if (only.length === 0 || !existsSync('BENCHMARKS.md')) writeFileSync('BENCHMARKS.md', out)
else writeFileSync(`BENCHMARKS.${only.join('-')}.md`, out)
console.log('\nwrote BENCHMARKS.md')
process.exit(sections.every((s) => s.ok) ? 0 : 1)
