import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cacheFolderFor, compileTypeScript } from '../src/compile-type-script.js'

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url))
/** zod, as a package the test app imports (taken from @chariots/core's dependencies). */
const zod = fileURLToPath(new URL('../../core/node_modules/zod', import.meta.url))

/** Imports `entry` with the built loader in a fresh process; answers what the module printed. */
function importInChild(entry: string, env: Record<string, string> = {}) {
  const script = `const { importAppModule } = await import(${JSON.stringify(dist)}); const m = await importAppModule(${JSON.stringify(entry)}); console.log(JSON.stringify(m.default))`
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  })
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr }
}

describe('importAppModule of a TypeScript app', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chariots-loader-'))
    // The app imports a package (zod) from its node_modules, and files of its own.
    await mkdir(join(dir, 'ops'))
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }')
    await mkdir(join(dir, 'node_modules'))
    await symlink(zod, join(dir, 'node_modules', 'zod'))
    await writeFile(
      join(dir, 'app.ts'),
      [
        "import { here, twice } from './ops/twice.js'",
        "import { z } from 'zod'",
        'const n: number = z.number().parse(21)',
        'export default { value: twice(n), here, own: new URL(import.meta.url).pathname }',
      ].join('\n'),
    )
    await writeFile(
      join(dir, 'ops', 'twice.ts'),
      'export const twice = (x: number): number => x * 2\nexport const here: string = new URL(".", import.meta.url).pathname',
    )
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('runs it from a cached bundle, each file keeping its own import.meta.url', async () => {
    const out = importInChild(join(dir, 'app.ts'))
    expect(out.stderr).toBe('')
    expect(JSON.parse(out.stdout)).toEqual({
      value: 42,
      here: `${join(dir, 'ops')}/`,
      own: join(dir, 'app.ts'),
    })
    expect(cacheFolderFor(join(dir, 'app.ts'))).toBe(join(dir, '.chariots-cache'))
  })

  it('reuses the bundle while no file changed, and rebuilds when one did', async () => {
    const first = await compileTypeScript(join(dir, 'app.ts'))
    expect(first.built).toBe(true)
    const builtAt = (await stat(first.file)).mtimeMs
    expect(await compileTypeScript(join(dir, 'app.ts'))).toEqual({ file: first.file, built: false })
    expect((await stat(first.file)).mtimeMs).toBe(builtAt)

    await writeFile(
      join(dir, 'ops', 'twice.ts'),
      'export const twice = (x: number): number => x * 3\nexport const here = ""',
    )
    expect((await compileTypeScript(join(dir, 'app.ts'))).built).toBe(true)
    expect(JSON.parse(importInChild(join(dir, 'app.ts')).stdout).value).toBe(63)
    expect(await readFile(first.file, 'utf8')).toContain('sourceMappingURL=data:')
  })

  it('refuses a syntax error with INVALID_APP_MODULE naming the file, line and column', async () => {
    await writeFile(join(dir, 'ops', 'twice.ts'), 'export const twice = (x: number =>')
    const err = await compileTypeScript(join(dir, 'app.ts')).catch((e) => e)
    expect(err.code).toBe('INVALID_APP_MODULE')
    expect(err.message).toMatch(new RegExp(`^${join(dir, 'ops', 'twice.ts')}:1:\\d+: `))
  })

  it('loads through tsx when CHARIOTS_TS_LOADER=tsx', async () => {
    const out = importInChild(join(dir, 'app.ts'), { CHARIOTS_TS_LOADER: 'tsx' })
    expect(JSON.parse(out.stdout)).toMatchObject({ value: 42, own: join(dir, 'app.ts') })
  })
})
