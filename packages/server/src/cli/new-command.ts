import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { basename, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { ChariotsError, ErrorCode } from '@chariots/core'
import { checkoutPackages, ownCheckout } from './chariots-checkout.js'
import { UsageError } from './usage-error.js'
import { assertBuilt, tarballName, VENDOR_DIR, vendorPackages } from './vendor-packages.js'
import { withVendoredPackages } from './with-vendored-packages.js'

/** The templates shipped in the package (`templates/`, beside `dist/`). */
const TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url))
const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url))

/** An npm package name without a scope: it names both the package and the folder. */
const NAME = /^[a-z0-9][a-z0-9._-]*$/

/** The project README's word on the `@chariots/*` packages, from the registry. */
const REGISTRY_NOTE =
  'Add more Chariots packages with `pnpm add @chariots/<name>` (`tfjs`, `workers-rq-like`, …).'

/** The same, for a project made from a checkout (`vendor/`). */
const VENDORED_NOTE =
  'The `@chariots/*` packages are not on the npm registry yet: this project installs them from the\n' +
  'tarballs in `vendor/` (see `vendor/README.md`). Add one with `pnpm add @chariots/tfjs`, or with npm\n' +
  '`npm install ./vendor/chariots-tfjs-{{version}}.tgz`.'

/** Options of {@link scaffold}. */
export interface ScaffoldOptions {
  /** The iris tutorial (download, train, predict) instead of the minimal is_odd project. */
  iris?: boolean
  /** The version range of the `@chariots/*` dependencies (default `^` this package's version). */
  chariotsVersion?: string
  /**
   * A checkout of the Chariots repository (built): its `@chariots/*` packages are packed into the
   * project's `vendor/` and the project depends on those tarballs, for pnpm and npm alike.
   * Without it, the project depends on the registry versions.
   */
  checkout?: string
}

/** What {@link scaffold} wrote. */
export interface ScaffoldResult {
  /** Every file written, relative to the project folder, sorted (tarballs included). */
  files: string[]
  /** The `@chariots/*` packages packed into `vendor/`, when the project was made from a checkout. */
  vendored?: { checkout: string; packages: string[] }
}

/**
 * `chariots new <name> [--iris]`: scaffolds a project in `./<name>` (`<name>` may be a path whose
 * last segment is the name): ops/, pipelines/, app.ts, a TestClient test, README, package.json,
 * tsconfig and vitest config. Refuses a folder that is not empty. Run from a checkout of Chariots
 * (the packages are not published yet), it packs every `@chariots/*` package into the project's
 * `vendor/` and points the dependencies there; `--link <checkout>` takes them from another
 * checkout, `--registry` keeps registry versions.
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
    options: {
      iris: { type: 'boolean', default: false },
      link: { type: 'string' },
      registry: { type: 'boolean', default: false },
    },
  })
  const [target, ...extra] = positionals
  if (!target || extra.length > 0) throw new UsageError('expected one project name')
  if (values.registry && values.link) throw new UsageError('--link and --registry exclude each other')
  const checkout = values.registry ? undefined : (values.link ?? (await ownCheckout()))
  const dir = resolve(target)
  const { files, vendored } = await scaffold(dir, { iris: values.iris, ...(checkout ? { checkout } : {}) })
  const shown = relative(process.cwd(), dir) || '.'
  const cd = shown === '.' ? [] : [`  cd ${shown.includes(' ') ? JSON.stringify(shown) : shown}`]
  const own = files.filter((f) => !f.startsWith(`${VENDOR_DIR}/`)).length
  console.log(
    [
      `Created ${basename(dir)} (${values.iris ? 'the iris tutorial' : 'a minimal is_odd project'}, ${own} files) in ${dir}`,
      ...(vendored
        ? [
            `The @chariots packages are not on the npm registry yet: ${vendored.packages.length} of them, ` +
              `packed from ${vendored.checkout}, are in ${VENDOR_DIR}/ (see ${VENDOR_DIR}/README.md).`,
          ]
        : []),
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
 * files written. With `checkout`, the checkout's packages go into `vendor/` first (nothing else
 * is written when that fails).
 *
 * @example
 * ```ts
 * const { files } = await scaffold('/tmp/demo', { iris: true }) // ['.gitignore', 'README.md', …]
 * ```
 */
export async function scaffold(dir: string, options: ScaffoldOptions = {}): Promise<ScaffoldResult> {
  const name = basename(dir)
  if (!NAME.test(name) || name.length > 214 || name === 'node_modules') {
    throw new ChariotsError(
      ErrorCode.INVALID_INPUT,
      `'${name}' is not a valid project name: use lower-case letters, digits, '-', '_' and '.', ` +
        `starting with a letter or a digit (it becomes the folder and the package name), e.g. 'my-models'`,
    )
  }
  const checkout = options.checkout === undefined ? undefined : resolve(options.checkout)
  const packages = checkout === undefined ? undefined : await checkoutPackages(checkout)
  if (checkout && packages) assertBuilt(checkout, packages)
  const created = await refuseNonEmpty(dir)
  const own = (JSON.parse(await readFile(PACKAGE_JSON, 'utf8')) as { version: string }).version
  const vars: Record<string, string> = {
    name,
    chariotsVersion: options.chariotsVersion ?? `^${own}`,
    version: own,
    checkout: checkout ?? '',
    packagesNote: REGISTRY_NOTE,
  }
  let specs: Map<string, string> | undefined
  if (checkout && packages) {
    specs = await vendorPackages(checkout, packages, dir).catch(async (err: unknown) => {
      if (created) await rm(dir, { recursive: true, force: true })
      throw err
    })
    vars.tarballs = packages.map((p) => `- \`${tarballName(p)}\`: ${p.name} ${p.version}`).join('\n')
    vars.packagesNote = VENDORED_NOTE.replace('{{version}}', own)
  }
  const written = new Map<string, string>()
  // The common files first; the variant's files replace those of the same name.
  const layers = ['common', options.iris ? 'iris' : 'minimal', ...(specs ? ['vendored'] : [])]
  for (const layer of layers) {
    for (const file of await listFiles(join(TEMPLATES, layer))) {
      written.set(targetName(file), join(TEMPLATES, layer, file))
    }
  }
  for (const [file, source] of written) {
    let content = await readFile(source, 'utf8')
    if (source.endsWith('.tmpl'))
      content = content.replace(/\{\{(\w+)\}\}/g, (m, key: string) => vars[key] ?? m)
    if (file === 'package.json' && specs) content = withVendoredPackages(content, specs)
    await mkdir(join(dir, file, '..'), { recursive: true })
    await writeFile(join(dir, file), content, { flag: 'wx' })
  }
  const tarballs = packages?.map((p) => `${VENDOR_DIR}/${tarballName(p)}`) ?? []
  return {
    files: [...written.keys(), ...tarballs].sort(),
    ...(checkout && packages ? { vendored: { checkout, packages: packages.map((p) => p.name) } } : {}),
  }
}

/** Refuses a folder that is not empty; answers whether it had to be created. */
async function refuseNonEmpty(dir: string): Promise<boolean> {
  const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined
    throw err
  })
  if (!info) {
    await mkdir(dir, { recursive: true })
    return true
  }
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
  return false
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
