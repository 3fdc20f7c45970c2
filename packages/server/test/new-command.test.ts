// `chariots new`: scaffolds into a temporary folder with `--link <this checkout>`, installs it
// without network (node_modules symlinks: each `@chariots/*` dependency to the folder its pnpm
// override links, every other one to the workspace's copy, and their bins in node_modules/.bin),
// then runs the project's own test and tsc with its installed bins, and serves it with
// `chariots serve app.ts`. (`pnpm install --offline` would need the registry metadata in pnpm's
// cache, which a `--frozen-lockfile` install does not write, so CI machines lack it.)
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliResult, runCli, runNode, startServe } from './helpers/cli-process.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '')
const IRIS_APP = join(ROOT, 'apps/iris')

/** Where a third-party dependency of a scaffold is found in the workspace (pnpm links it there). */
const LOOK_IN = [ROOT, join(ROOT, 'packages/core'), join(ROOT, 'packages/server'), IRIS_APP]

interface Manifest {
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  pnpm?: { overrides?: Record<string, string> }
  bin?: string | Record<string, string>
}

/** What `pnpm install` would do for the project, offline; undeclared imports stay unresolvable. */
async function install(project: string): Promise<string[]> {
  const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8')) as Manifest
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
  await mkdir(join(project, 'node_modules/.bin'), { recursive: true })
  for (const name of names) {
    const override = pkg.pnpm?.overrides?.[name]
    const target = override?.startsWith('link:')
      ? override.slice('link:'.length)
      : LOOK_IN.map((base) => join(base, 'node_modules', name)).find((p) => existsSync(p))
    if (!target || !existsSync(join(target, 'package.json'))) {
      throw new Error(`the scaffold depends on '${name}', which neither --link nor the workspace provides`)
    }
    const real = await realpath(target)
    const link = join(project, 'node_modules', name)
    await mkdir(dirname(link), { recursive: true })
    await symlink(real, link, 'dir')
    const { bin } = JSON.parse(await readFile(join(real, 'package.json'), 'utf8')) as Manifest
    const bins = typeof bin === 'string' ? { [basename(name)]: bin } : (bin ?? {})
    for (const [command, file] of Object.entries(bins)) {
      await symlink(join(real, file), join(project, 'node_modules/.bin', command))
    }
  }
  return names
}

const bin = (project: string, command: string) => join(project, 'node_modules/.bin', command)

const ok = (r: CliResult) => {
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`)
  return r
}

describe('chariots new', () => {
  let tmp: string
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'chariots-new-'))
  })
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true })
  })

  // Each installs, runs vitest and tsc and starts a server in child processes: slow on a busy machine.
  it('scaffolds a minimal is_odd project whose test passes and that serves', {
    timeout: 120_000,
  }, async () => {
    const r = ok(await runCli(['new', 'demo', '--link', ROOT], { cwd: tmp }))
    const project = join(tmp, 'demo')
    expect(r.stdout).toContain(`Created demo (a minimal is_odd project, 10 files) in ${project}`)
    const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'))
    expect(pkg).toMatchObject({
      name: 'demo',
      type: 'module',
      scripts: { start: 'chariots serve app.ts', test: 'vitest run' },
      dependencies: { '@chariots/core': '^0.1.0', '@chariots/server': '^0.1.0' },
      devDependencies: { '@chariots/testing': '^0.1.0', vitest: '4.1.12' },
      pnpm: { overrides: { '@chariots/core': `link:${join(ROOT, 'packages/core')}` } },
    })
    expect(Object.keys(pkg.pnpm.overrides).sort()).toEqual([
      '@chariots/core',
      '@chariots/server',
      '@chariots/testing',
      '@chariots/workers',
    ])
    for (const file of ['.gitignore', 'README.md', 'app.ts', 'ops/is-odd-op.ts', 'pipelines/is-odd.ts']) {
      expect(existsSync(join(project, file)), file).toBe(true)
    }
    expect(await readFile(join(project, 'README.md'), 'utf8')).toMatch(/^# demo\n/)

    await install(project)
    const tests = ok(await runNode(bin(project, 'vitest'), ['run'], { cwd: project, timeoutMs: 60_000 }))
    expect(tests.stdout).toMatch(/Tests\s+.*3 passed/)
    ok(await runNode(bin(project, 'tsc'), [], { cwd: project, timeoutMs: 60_000 }))

    const served = await startServe('app.ts', { cwd: project, bin: bin(project, 'chariots') })
    try {
      expect(await (await fetch(`${served.url}/health_check`)).json()).toEqual({ is_odd: true })
      const call = ok(await runCli(['call', 'is_odd', '3', '--url', served.url]))
      expect(JSON.parse(call.stdout).pipeline_output).toBe(true)
      expect(served.output()).toContain(`Serving 1 pipeline on ${served.url}: is_odd`)
    } finally {
      await served.stop()
    }
  })

  it('--iris scaffolds the iris tutorial: the code of apps/iris, a passing test, and it serves', {
    timeout: 120_000,
  }, async () => {
    const r = ok(await runCli(['new', 'iris', '--iris', '--link', ROOT], { cwd: tmp }))
    const project = join(tmp, 'iris')
    expect(r.stdout).toContain('the iris tutorial')
    const files = (await readdirRecursive(project)).filter(
      (f) => f.endsWith('.ts') && f !== 'vitest.config.ts',
    )
    expect(files).toContain('pipelines/train-iris.ts')
    // apps/iris is what `chariots new --iris` generates (plus its HTTP walkthrough test): no drift.
    for (const file of files) {
      expect(await readFile(join(project, file), 'utf8'), file).toBe(
        await readFile(join(IRIS_APP, file), 'utf8'),
      )
    }

    const deps = await install(project)
    expect(deps).toEqual(expect.arrayContaining(['@chariots/ml', '@chariots/workers-rq-like', 'zod']))
    const tests = ok(await runNode(bin(project, 'vitest'), ['run'], { cwd: project, timeoutMs: 60_000 }))
    expect(tests.stdout).toMatch(/Tests\s+.*3 passed/)
    ok(await runNode(bin(project, 'tsc'), [], { cwd: project, timeoutMs: 60_000 }))

    const served = await startServe('app.ts', {
      cwd: project,
      bin: bin(project, 'chariots'),
      env: { CHARIOTS_PATH: join(tmp, 'iris-store') },
    })
    try {
      const health = await (await fetch(`${served.url}/health_check`)).json()
      expect(health).toEqual({
        download_iris: true,
        train_iris: true,
        train_iris_async: true,
        pred_iris: false,
        is_odd: true,
      })
    } finally {
      await served.stop()
    }
  })

  it('refuses a folder that is not empty, and names that are not package names (exit 1)', async () => {
    const busy = join(tmp, 'busy')
    await mkdir(busy)
    await writeFile(join(busy, 'notes.txt'), 'mine')
    const refused = await runCli(['new', 'busy'], { cwd: tmp })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`folder '${busy}' is not empty`)
    expect(await readFile(join(busy, 'notes.txt'), 'utf8')).toBe('mine')

    for (const name of ['My_Models', '.hidden', 'a b']) {
      const bad = await runCli(['new', name], { cwd: tmp })
      expect(bad.code, name).toBe(1)
      expect(bad.stderr).toMatch(/is not a valid project name/)
      expect(existsSync(join(tmp, name))).toBe(false)
    }
    const usage = await runCli(['new'], { cwd: tmp })
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain('usage: chariots new <name> [--iris]')
    const notCheckout = await runCli(['new', 'linked', '--link', tmp], { cwd: tmp })
    expect(notCheckout.code).toBe(1)
    expect(notCheckout.stderr).toMatch(/is not a checkout of Chariots/)
  })

  it('accepts an empty folder, a path whose last segment is the name, and a stray --', async () => {
    await mkdir(join(tmp, 'nested/empty'), { recursive: true })
    ok(await runCli(['new', 'nested/empty'], { cwd: tmp }))
    expect(JSON.parse(await readFile(join(tmp, 'nested/empty/package.json'), 'utf8')).name).toBe('empty')
    // what `pnpm chariots new -- name` passes through
    ok(await runCli(['new', '--', 'dashed'], { cwd: tmp }))
    expect(existsSync(join(tmp, 'dashed/app.ts'))).toBe(true)
  })
})

async function readdirRecursive(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile() && !e.parentPath.includes('node_modules'))
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
}
