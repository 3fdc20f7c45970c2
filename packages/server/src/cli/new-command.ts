import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { basename, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { ChariotsError, ErrorCode } from '@chariots/core'
import { UsageError } from './usage-error.js'

/** Usage of `chariots new`. */
export const NEW_USAGE = 'chariots new <name> [--iris] [--link <chariots checkout>]'

/** The templates shipped in the package (`templates/`, beside `dist/`). */
const TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url))
const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url))

/** An npm package name without a scope: it names both the package and the folder. */
const NAME = /^[a-z0-9][a-z0-9._-]*$/

/** Options of {@link scaffold}. */
export interface ScaffoldOptions {
  /** The iris tutorial (download, train, predict) instead of the minimal is_odd project. */
  iris?: boolean
  /** The version range of the `@chariots/*` dependencies (default `^` this package's version). */
  chariotsVersion?: string
  /**
   * A checkout of the Chariots repository: adds pnpm `overrides` pointing each `@chariots/*`
   * dependency at its `packages/<name>` folder (`link:`), to use unpublished or local packages.
   */
  link?: string
}

/**
 * `chariots new <name> [--iris]`: scaffolds a project in `./<name>` (`<name>` may be a path whose
 * last segment is the name): ops/, pipelines/, app.ts, a TestClient test, README, package.json,
 * tsconfig and vitest config. Refuses a folder that is not empty. `--link <checkout>` makes the
 * `@chariots/*` dependencies resolve to a local checkout of the repository (pnpm overrides).
 *
 * @example
 * ```sh
 * chariots new my-models --iris && cd my-models && pnpm install && pnpm test && pnpm start
 * ```
 */
export async function newCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { iris: { type: 'boolean', default: false }, link: { type: 'string' } },
  })
  const [target, ...extra] = positionals
  if (!target || extra.length > 0) throw new UsageError('expected one project name')
  const dir = resolve(target)
  const files = await scaffold(dir, { iris: values.iris, ...(values.link ? { link: values.link } : {}) })
  const shown = relative(process.cwd(), dir) || '.'
  const cd = shown === '.' ? [] : [`  cd ${shown.includes(' ') ? JSON.stringify(shown) : shown}`]
  console.log(
    [
      `Created ${basename(dir)} (${values.iris ? 'the iris tutorial' : 'a minimal is_odd project'}, ${files.length} files) in ${dir}`,
      '',
      'Next:',
      ...cd,
      '  pnpm install       # or npm install',
      '  pnpm test          # its TestClient test',
      '  pnpm start         # serves app.ts on http://127.0.0.1:5000',
    ].join('\n'),
  )
}

/**
 * Writes a new project into `dir` (created when missing; refused unless empty) and answers the
 * paths written, relative to `dir`.
 *
 * @example
 * ```ts
 * await scaffold('/tmp/demo', { iris: true }) // ['.gitignore', 'README.md', 'app.ts', …]
 * ```
 */
export async function scaffold(dir: string, options: ScaffoldOptions = {}): Promise<string[]> {
  const name = basename(dir)
  if (!NAME.test(name) || name.length > 214 || name === 'node_modules') {
    throw new ChariotsError(
      ErrorCode.INVALID_INPUT,
      `'${name}' is not a valid project name: use lower-case letters, digits, '-', '_' and '.', ` +
        `starting with a letter or a digit (it becomes the folder and the package name), e.g. 'my-models'`,
    )
  }
  const links = options.link === undefined ? undefined : await checkoutPackages(options.link)
  await refuseNonEmpty(dir)
  const version = options.chariotsVersion ?? `^${JSON.parse(await readFile(PACKAGE_JSON, 'utf8')).version}`
  const vars: Record<string, string> = { name, chariotsVersion: version }
  const written = new Map<string, string>()
  // The common files first; the variant's files replace those of the same name.
  for (const layer of ['common', options.iris ? 'iris' : 'minimal']) {
    for (const file of await listFiles(join(TEMPLATES, layer))) {
      written.set(targetName(file), join(TEMPLATES, layer, file))
    }
  }
  for (const [file, source] of written) {
    let content = await readFile(source, 'utf8')
    if (source.endsWith('.tmpl'))
      content = content.replace(/\{\{(\w+)\}\}/g, (m, key: string) => vars[key] ?? m)
    if (file === 'package.json' && links) content = withLinks(content, links)
    await mkdir(join(dir, file, '..'), { recursive: true })
    await writeFile(join(dir, file), content, { flag: 'wx' })
  }
  return [...written.keys()].sort()
}

/** The `@chariots/*` packages of a checkout: package name → absolute folder. */
async function checkoutPackages(checkout: string): Promise<Map<string, string>> {
  const root = resolve(checkout, 'packages')
  const found = new Map<string, string>()
  for (const entry of await readdir(root).catch(() => [] as string[])) {
    const manifest = await readFile(join(root, entry, 'package.json'), 'utf8').catch(() => undefined)
    const name = manifest === undefined ? undefined : (JSON.parse(manifest) as { name?: unknown }).name
    if (typeof name === 'string' && name.startsWith('@chariots/')) found.set(name, join(root, entry))
  }
  if (!found.has('@chariots/core')) {
    throw new ChariotsError(
      ErrorCode.INVALID_PATH,
      `--link '${checkout}' is not a checkout of Chariots: ${root} holds no @chariots/core package`,
    )
  }
  return found
}

/** Adds pnpm overrides linking each `@chariots/*` dependency of a package.json to the checkout. */
function withLinks(json: string, links: Map<string, string>): string {
  const pkg = JSON.parse(json) as {
    dependencies?: Record<string, string>
    devDependencies?: Record<string, string>
    pnpm?: { overrides: Record<string, string> }
  }
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((n) => links.has(n))
  pkg.pnpm = { overrides: Object.fromEntries(names.map((n) => [n, `link:${links.get(n)}`])) }
  return `${JSON.stringify(pkg, null, 2)}\n`
}

async function refuseNonEmpty(dir: string): Promise<void> {
  const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined
    throw err
  })
  if (!info) return
  if (!info.isDirectory()) {
    throw new ChariotsError(ErrorCode.INVALID_PATH, `'${dir}' exists and is not a folder; pick another name`)
  }
  const entries = await readdir(dir)
  if (entries.length > 0) {
    throw new ChariotsError(
      ErrorCode.INVALID_PATH,
      `folder '${dir}' is not empty (${entries.length} entries, e.g. '${entries[0]}'); ` +
        'pick another name or empty it: chariots new never overwrites files',
    )
  }
}

/** Template files, relative to `root`, recursively. */
async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)))
}

/**
 * The name a template file gets in the project: `_gitignore` → `.gitignore` (npm drops
 * `.gitignore` files from published packages), `x.tmpl` → `x` (its `{{vars}}` filled in).
 */
function targetName(file: string): string {
  return file.replace(/(^|\/)_gitignore$/, '$1.gitignore').replace(/\.tmpl$/, '')
}
