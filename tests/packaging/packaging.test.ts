// What `pnpm publish -r` would publish: `pnpm pack` of every package (build first), installed with
// npm into an empty project from the tarballs alone (the registry, local cache first, serves only
// their third-party dependencies), then imported by name, each export and subpath, and the CLI run.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

interface Manifest {
  name: string
  version: string
  exports: Record<string, { types: string; default: string }>
  dependencies?: Record<string, string>
  bin?: Record<string, string>
  publishConfig?: { access?: string }
}

/** What `pnpm pack --json` reports for one package. */
interface Packed {
  name: string
  filename: string
  files: { path: string }[]
}

interface Ran {
  code: number | null
  stdout: string
  /** stdout and stderr, interleaved. */
  output: string
}

function run(command: string, args: string[], cwd: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    // A shell's environment: without vitest's variables and those pnpm sets for its scripts.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !/^(VITEST|npm_(lifecycle|package)_|npm_config_user_agent)/.test(k),
      ),
    )
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let output = ''
    child.stdout.on('data', (d) => {
      stdout += d
      output += d
    })
    child.stderr.on('data', (d) => (output += d))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, output }))
  })
}

async function workspaceManifests(): Promise<Manifest[]> {
  const dirs = await readdir(join(ROOT, 'packages'))
  const manifests = dirs
    .filter((d) => existsSync(join(ROOT, 'packages', d, 'package.json')))
    .map(
      async (d) => JSON.parse(await readFile(join(ROOT, 'packages', d, 'package.json'), 'utf8')) as Manifest,
    )
  return (await Promise.all(manifests)).sort((a, b) => a.name.localeCompare(b.name))
}

describe('the packed packages', () => {
  let tmp: string
  let manifests: Manifest[]
  let packed: Packed[]

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'chariots-packaging-'))
    manifests = await workspaceManifests()
    const pack = await run(
      'pnpm',
      ['-r', '--filter', './packages/*', 'pack', '--json', '--pack-destination', join(tmp, 'tarballs')],
      ROOT,
    )
    if (pack.code !== 0) throw new Error(`pnpm pack failed:\n${pack.output}`)
    packed = JSON.parse(pack.stdout) as Packed[]
  })
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true })
  })

  it('ship each export, type declaration and bin, and neither sources nor build info', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(manifests.map((m) => m.name))
    for (const manifest of manifests) {
      const files = new Set(packed.find((p) => p.name === manifest.name)!.files.map((f) => f.path))
      const targets = [
        ...Object.values(manifest.exports).flatMap((e) => [e.types, e.default]),
        ...Object.values(manifest.bin ?? {}),
      ]
      for (const target of targets) expect(files, `${manifest.name}: ${target}`).toContain(target.slice(2))
      const stray = [...files].filter((f) => f.startsWith('src/') || f.endsWith('.tsbuildinfo'))
      expect(stray, manifest.name).toEqual([])
      expect(manifest.publishConfig?.access, `${manifest.name} publishes as a public scoped package`).toBe(
        'public',
      )
    }
  })

  it('install with npm into an empty project, with their dependencies on each other pinned, and import', async () => {
    const project = join(tmp, 'empty')
    await mkdir(project)
    await writeFile(join(project, 'package.json'), '{"name": "empty", "private": true, "type": "module"}\n')
    const tarballs = packed.map((p) => p.filename)
    const install = await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs],
      project,
    )
    expect(install.code, install.output).toBe(0)

    for (const manifest of manifests) {
      const installed = JSON.parse(
        await readFile(join(project, 'node_modules', manifest.name, 'package.json'), 'utf8'),
      ) as Manifest
      // `workspace:*` means nothing to npm or to a registry: pnpm pack writes the version instead.
      for (const [dep, range] of Object.entries(installed.dependencies ?? {})) {
        if (dep.startsWith('@chariots/')) expect(range, `${manifest.name} → ${dep}`).toBe(manifest.version)
      }
    }
    const specifiers = manifests.flatMap((m) =>
      Object.keys(m.exports).map((sub) => (sub === '.' ? m.name : `${m.name}/${sub.slice(2)}`)),
    )
    expect(specifiers).toContain('@chariots/server/client')
    const script = `for (const s of ${JSON.stringify(specifiers)}) console.log(s, Object.keys(await import(s)).length)`
    const imported = await run(process.execPath, ['--input-type=module', '-e', script], project)
    expect(imported.code, imported.output).toBe(0)
    for (const s of specifiers) expect(imported.output).toMatch(new RegExp(`^${s} [1-9]\\d*$`, 'm'))

    const help = await run(join(project, 'node_modules/.bin/chariots'), ['--help'], project)
    expect(help.code, help.output).toBe(0)
    expect(help.output).toContain('usage: chariots <command> [options]')
  })
})
