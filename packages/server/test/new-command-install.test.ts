// `chariots new` run from this checkout (no --link), then installed for real, as a user would:
// `pnpm install && pnpm test`, `npm install && npm test`, `pnpm add @chariots/ml` afterwards, and
// the iris tutorial served from another folder. The @chariots packages come from the project's
// vendor/ tarballs; everything else from the registry, the local caches first (--prefer-offline).
// Slow (several installs): each test is bounded by its own timeout.
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, runNode, startServe } from './helpers/cli-process.js'
import { INSTALL_ARGS, ok, runCommand } from './helpers/package-manager.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '')
const IRIS_APP = join(ROOT, 'apps/iris')

/** The installed CLI of a project (a real file under node_modules, for pnpm and npm alike). */
const chariotsOf = (project: string) => join(project, 'node_modules/@chariots/server/bin/chariots.js')

describe('chariots new, installed with pnpm and npm', () => {
  let tmp: string
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'chariots-install-'))
  })
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true })
  })

  it('pnpm: install, test, tsc, serve; then `pnpm add @chariots/ml` installs the vendored ml', {
    timeout: 300_000,
  }, async () => {
    ok(await runCli(['new', 'demo'], { cwd: tmp }))
    const project = join(tmp, 'demo')
    const install = ok(await runCommand('pnpm', [...INSTALL_ARGS.pnpm], { cwd: project }))
    expect(install.stdout + install.stderr).not.toContain('Ignored build scripts')
    const tests = ok(await runCommand('pnpm', ['test'], { cwd: project }))
    expect(tests.stdout).toMatch(/Tests\s+.*3 passed/)
    ok(await runCommand('pnpm', ['exec', 'tsc'], { cwd: project }))

    const served = await startServe('app.ts', { cwd: project, bin: chariotsOf(project) })
    try {
      expect(await (await fetch(`${served.url}/health_check`)).json()).toEqual({ is_odd: true })
      const call = ok(await runCli(['call', 'is_odd', '3', '--url', served.url]))
      expect(JSON.parse(call.stdout).pipeline_output).toBe(true)
      expect(served.output()).toContain(`Serving 1 pipeline on ${served.url}: is_odd`)
    } finally {
      await served.stop()
    }

    // Not a dependency of the minimal project: the pnpm override points it at vendor/.
    ok(await runCommand('pnpm', ['add', '@chariots/ml', '--prefer-offline'], { cwd: project }))
    const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'))
    expect(pkg.dependencies['@chariots/ml']).toBe('file:vendor/chariots-ml-0.1.0.tgz')
    const ml = ok(
      await runCommand(
        process.execPath,
        ['-e', "import('@chariots/ml').then((m) => console.log(typeof m.PCA))"],
        {
          cwd: project,
        },
      ),
    )
    expect(ml.stdout.trim()).toBe('function')
  })

  it('npm: install, test, serve; its installed CLI, outside a checkout, scaffolds registry versions', {
    timeout: 300_000,
  }, async () => {
    ok(await runCli(['new', 'demo-npm'], { cwd: tmp }))
    const project = join(tmp, 'demo-npm')
    ok(await runCommand('npm', [...INSTALL_ARGS.npm], { cwd: project }))
    const tests = ok(await runCommand('npm', ['test'], { cwd: project }))
    expect(tests.stdout).toMatch(/Tests\s+.*3 passed/)

    const served = await startServe('app.ts', { cwd: project, bin: chariotsOf(project) })
    try {
      expect(await (await fetch(`${served.url}/health_check`)).json()).toEqual({ is_odd: true })
    } finally {
      await served.stop()
    }

    // The same command from the installed package (no checkout around it): registry versions.
    ok(await runNode(chariotsOf(project), ['new', 'later'], { cwd: tmp }))
    const later = JSON.parse(await readFile(join(tmp, 'later/package.json'), 'utf8'))
    expect(later.dependencies['@chariots/core']).toBe('^0.1.0')
    expect(later.overrides).toBeUndefined()
    expect(existsSync(join(tmp, 'later/vendor'))).toBe(false)
  })

  it('--iris: the code of apps/iris; pnpm install, test, tsc; served from another folder, its store stays beside app.ts', {
    timeout: 300_000,
  }, async () => {
    ok(await runCli(['new', 'iris', '--iris'], { cwd: tmp }))
    const project = join(tmp, 'iris')
    const files = (await readdirRecursive(project)).filter(
      (f) => f.endsWith('.ts') && f !== 'vitest.config.ts',
    )
    expect(files).toContain('pipelines/train-iris.ts')
    // apps/iris is what `chariots new --iris` generates (plus its own tests): no drift.
    for (const file of files) {
      expect(await readFile(join(project, file), 'utf8'), file).toBe(
        await readFile(join(IRIS_APP, file), 'utf8'),
      )
    }

    ok(await runCommand('pnpm', [...INSTALL_ARGS.pnpm], { cwd: project }))
    const tests = ok(await runCommand('pnpm', ['test'], { cwd: project }))
    expect(tests.stdout).toMatch(/Tests\s+.*3 passed/)
    ok(await runCommand('pnpm', ['exec', 'tsc'], { cwd: project }))

    // Started from tmp, not from the project: the relative default store is read against app.ts.
    const served = await startServe(join(project, 'app.ts'), {
      cwd: tmp,
      bin: chariotsOf(project),
      env: { CHARIOTS_PATH: '' },
    })
    try {
      expect(await (await fetch(`${served.url}/health_check`)).json()).toMatchObject({
        download_iris: true,
        pred_iris: false,
      })
      ok(await runCli(['call', 'download_iris', '--url', served.url]))
      expect(served.output()).toContain(`Store: ${join(project, '.chariots-data')} (CHARIOTS_PATH moves it)`)
    } finally {
      await served.stop()
    }
    expect(existsSync(join(project, '.chariots-data/data/iris.csv'))).toBe(true)
    expect(existsSync(join(tmp, '.chariots-data'))).toBe(false)
  })
})

async function readdirRecursive(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile() && !e.parentPath.includes('node_modules'))
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
}
