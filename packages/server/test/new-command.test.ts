// `chariots new`: what it writes, where the `@chariots/*` packages come from (vendor/ tarballs from
// this checkout, or the registry), and what it refuses. new-command-install.test.ts installs the
// projects with pnpm and npm and runs them.
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHARIOTS_BIN, cleanEnv, runCli, runNode } from './helpers/cli-process.js'
import { ok } from './helpers/package-manager.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '')

/** Every `@chariots/*` package of this checkout, by reading packages/. */
async function checkoutPackageNames(): Promise<string[]> {
  const names: string[] = []
  for (const dir of await readdir(join(ROOT, 'packages'))) {
    const manifest = join(ROOT, 'packages', dir, 'package.json')
    if (existsSync(manifest)) names.push(JSON.parse(await readFile(manifest, 'utf8')).name)
  }
  return names.sort()
}

describe('chariots new', () => {
  let tmp: string
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'chariots-new-'))
  })
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true })
  })

  it('run from a checkout, packs every @chariots package into vendor/ and points package.json there', async () => {
    const r = ok(await runCli(['new', 'demo'], { cwd: tmp }))
    const project = join(tmp, 'demo')
    expect(r.stdout).toContain(`Created demo (a minimal is_odd project, 10 files) in ${project}`)
    expect(r.stdout).toContain(`packed from ${ROOT}, are in vendor/`)
    const names = await checkoutPackageNames()
    expect(names).toContain('@chariots/tfjs')
    const tarballs = names.map((n) => `chariots-${n.slice('@chariots/'.length)}-0.1.0.tgz`)
    expect((await readdir(join(project, 'vendor'))).sort()).toEqual(['README.md', ...tarballs].sort())

    const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'))
    const spec = (n: string) => `file:vendor/chariots-${n.slice('@chariots/'.length)}-0.1.0.tgz`
    expect(pkg).toMatchObject({
      name: 'demo',
      type: 'module',
      scripts: { start: 'chariots serve app.ts', test: 'vitest run' },
      dependencies: {
        '@chariots/core': spec('@chariots/core'),
        '@chariots/server': spec('@chariots/server'),
      },
      devDependencies: { '@chariots/testing': spec('@chariots/testing'), vitest: '4.1.12' },
    })
    // Every package, not only those the template uses, so `pnpm add @chariots/tfjs` finds its tarball.
    const all = Object.fromEntries(names.map((n) => [n, spec(n)]))
    expect(pkg.overrides).toEqual(all)
    expect(pkg.pnpm.overrides).toEqual(all)
    // esbuild (tsx) may run its install script; the others' are optional: no warning box on install.
    expect(pkg.pnpm.onlyBuiltDependencies).toEqual(['esbuild'])
    for (const file of ['.gitignore', 'README.md', 'app.ts', 'ops/is-odd-op.ts', 'pipelines/is-odd.ts']) {
      expect(existsSync(join(project, file)), file).toBe(true)
    }
    const readme = await readFile(join(project, 'README.md'), 'utf8')
    expect(readme).toMatch(/^# demo\n/)
    expect(readme).toContain('npm install ./vendor/chariots-tfjs-0.1.0.tgz')
    const vendorReadme = await readFile(join(project, 'vendor/README.md'), 'utf8')
    expect(vendorReadme).toContain(`from the Chariots checkout at \`${ROOT}\``)
    expect(vendorReadme).toContain('- `chariots-ml-0.1.0.tgz`: @chariots/ml 0.1.0')
    expect(vendorReadme).not.toMatch(/\{\{\w+\}\}/)
  })

  it('--registry keeps registry versions, with no vendor/ and no overrides', async () => {
    ok(await runCli(['new', 'plain', '--iris', '--registry'], { cwd: tmp }))
    const pkg = JSON.parse(await readFile(join(tmp, 'plain/package.json'), 'utf8'))
    expect(pkg.dependencies).toMatchObject({ '@chariots/core': '^0.1.0', '@chariots/ml': '^0.1.0' })
    expect(pkg.overrides).toBeUndefined()
    expect(pkg.pnpm.overrides).toBeUndefined()
    expect(existsSync(join(tmp, 'plain/vendor'))).toBe(false)
    expect(await readFile(join(tmp, 'plain/README.md'), 'utf8')).toContain('pnpm add @chariots/<name>')
  })

  it('refuses a folder that is not empty, and names that are not package names (exit 1)', async () => {
    const busy = join(tmp, 'busy')
    await mkdir(busy)
    await writeFile(join(busy, 'notes.txt'), 'mine')
    const refused = await runCli(['new', 'busy'], { cwd: tmp })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`folder '${busy}' is not empty`)
    expect(await readdir(busy)).toEqual(['notes.txt'])

    for (const name of ['My_Models', '.hidden', 'a b']) {
      const bad = await runCli(['new', name], { cwd: tmp })
      expect(bad.code, name).toBe(1)
      expect(bad.stderr).toMatch(/is not a valid project name/)
      expect(existsSync(join(tmp, name))).toBe(false)
    }
    const usage = await runCli(['new'], { cwd: tmp })
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain('usage: chariots new <name> [--iris]')
    const both = await runCli(['new', 'x', '--link', ROOT, '--registry'], { cwd: tmp })
    expect(both.code).toBe(2)
    expect(both.stderr).toContain('--link and --registry exclude each other')
    const notCheckout = await runCli(['new', 'linked', '--link', tmp], { cwd: tmp })
    expect(notCheckout.code).toBe(1)
    expect(notCheckout.stderr).toMatch(/is not a checkout of Chariots/)
  })

  it('refuses a checkout whose packages are not built, and packing without pnpm, writing nothing', async () => {
    const fake = join(tmp, 'fake-checkout')
    await mkdir(join(fake, 'packages/core'), { recursive: true })
    await writeFile(join(fake, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n')
    await writeFile(
      join(fake, 'packages/core/package.json'),
      JSON.stringify({ name: '@chariots/core', version: '9.9.9', files: ['dist'] }),
    )
    const unbuilt = await runCli(['new', 'from-unbuilt', '--link', fake], { cwd: tmp })
    expect(unbuilt.code).toBe(1)
    expect(unbuilt.stderr).toContain(`the Chariots packages of ${fake} are not built (@chariots/core`)
    expect(unbuilt.stderr).toContain(`run \`pnpm install && pnpm build\` in ${fake}`)
    expect(existsSync(join(tmp, 'from-unbuilt'))).toBe(false)

    await mkdir(join(fake, 'packages/core/dist'))
    await writeFile(join(fake, 'packages/core/dist/index.js'), 'export {}\n')
    const noPnpm = await runNode(CHARIOTS_BIN, ['new', 'from-unpacked', '--link', fake], {
      cwd: tmp,
      env: cleanEnv({ PATH: join(tmp, 'no-such-bin') }),
    })
    expect(noPnpm.code).toBe(1)
    expect(noPnpm.stderr).toContain(`could not pack the Chariots packages of ${fake}`)
    expect(noPnpm.stderr).toContain('pnpm is not on the PATH; install it (npm i -g pnpm@10.34.9)')
    expect(existsSync(join(tmp, 'from-unpacked'))).toBe(false)
  })

  it('accepts an empty folder, a path whose last segment is the name, and a stray --', async () => {
    await mkdir(join(tmp, 'nested/empty'), { recursive: true })
    ok(await runCli(['new', 'nested/empty', '--registry'], { cwd: tmp }))
    expect(JSON.parse(await readFile(join(tmp, 'nested/empty/package.json'), 'utf8')).name).toBe('empty')
    // what `pnpm chariots new -- name` passes through
    ok(await runCli(['new', '--', 'dashed', '--registry'], { cwd: tmp }))
    expect(existsSync(join(tmp, 'dashed/app.ts'))).toBe(true)
  })
})
