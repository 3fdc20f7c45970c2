// Every package README's TypeScript examples compile and run. Each ```ts block of
// packages/*/README.md is an example, unless the line before its fence is the marker
// `<!-- readme-examples: skip -->` (for fragments that cannot run alone). Each example is written to
// a temporary .ts file in its package folder (so it imports the package by its name, and the
// package's own dependencies, as a user would), type-checked with tsc against the built packages,
// then run with tsx; it must exit 0. Build the packages first (the root `pnpm test` does).
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs')
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc')
const SKIP_MARKER = '<!-- readme-examples: skip -->'

interface Example {
  pkg: string
  /** 1-based line of the opening fence in the README. */
  line: number
  code: string
}

/** The runnable ```ts blocks of a README. */
function extractExamples(pkg: string, markdown: string): Example[] {
  const lines = markdown.split('\n')
  const examples: Example[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l))
    if (end === -1) throw new Error(`packages/${pkg}/README.md:${i + 1}: a \`\`\`ts block is never closed`)
    if (lines[i - 1]?.trim() !== SKIP_MARKER) {
      examples.push({ pkg, line: i + 1, code: lines.slice(i + 1, end).join('\n') })
    }
    i = end
  }
  return examples
}

const packages = readdirSync(join(ROOT, 'packages')).filter((p) =>
  existsSync(join(ROOT, 'packages', p, 'README.md')),
)
const examples = packages.flatMap((pkg) =>
  extractExamples(pkg, readFileSync(join(ROOT, 'packages', pkg, 'README.md'), 'utf8')),
)

/** Writes an example into its package folder; the returned function deletes it. */
async function writeExample(example: Example): Promise<{ file: string; remove(): Promise<void> }> {
  const file = join(ROOT, 'packages', example.pkg, `.readme-example-${randomUUID().slice(0, 8)}.ts`)
  await writeFile(file, `${example.code}\n`)
  return { file, remove: () => rm(file, { force: true }) }
}

function run(
  args: string[],
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')))
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout!.on('data', (d) => (output += d))
    child.stderr!.on('data', (d) => (output += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

describe('README examples', () => {
  const written: { remove(): Promise<void> }[] = []
  afterAll(async () => {
    await Promise.all(written.map((w) => w.remove()))
  })

  it('every package has a README with at least one example', () => {
    const all = readdirSync(join(ROOT, 'packages')).filter((p) =>
      existsSync(join(ROOT, 'packages', p, 'package.json')),
    )
    const missing = all.filter((p) => !examples.some((e) => e.pkg === p))
    expect(missing, 'packages whose README.md is missing or has no runnable ```ts example').toEqual([])
  })

  it('all examples type-check against the built packages', async () => {
    const files = await Promise.all(examples.map(writeExample))
    written.push(...files)
    const dir = await mkdtemp(join(tmpdir(), 'readme-examples-'))
    try {
      const config = {
        extends: join(ROOT, 'tsconfig.base.json'),
        compilerOptions: {
          noEmit: true,
          composite: false,
          declaration: false,
          declarationMap: false,
          sourceMap: false,
          typeRoots: [join(ROOT, 'node_modules/@types')],
        },
        files: files.map((f) => f.file),
      }
      await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(config))
      const { code, output } = await run([TSC, '-p', join(dir, 'tsconfig.json')], ROOT, 120_000)
      // tsc names the temporary files (relative to ROOT): name the README and the example instead.
      const located = files.reduce((text, f, i) => {
        const where = `packages/${examples[i]!.pkg}/README.md (example at line ${examples[i]!.line})`
        return text.replaceAll(f.file, where).replaceAll(relative(ROOT, f.file), where)
      }, output)
      expect(located, 'tsc errors').toBe('')
      expect(code).toBe(0)
    } finally {
      await rm(dir, { recursive: true, force: true })
      await Promise.all(files.map((f) => f.remove()))
    }
  })

  for (const example of examples) {
    it(`packages/${example.pkg}/README.md, the example at line ${example.line}, runs with tsx`, async () => {
      const { file, remove } = await writeExample(example)
      written.push({ remove })
      try {
        const { code, output } = await run([TSX, file], join(ROOT, 'packages', example.pkg), 100_000)
        expect(code, output).toBe(0)
      } finally {
        await remove()
      }
    })
  }
})
