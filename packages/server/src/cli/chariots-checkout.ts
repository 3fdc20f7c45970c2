import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ChariotsError, ErrorCode } from '@chariots/core'

/** This package's folder (`dist/cli/` is two levels below it). */
const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url))

/** One `@chariots/*` package of a checkout. */
export interface CheckoutPackage {
  name: string
  version: string
  /** Its absolute folder, `<checkout>/packages/<folder>`. */
  dir: string
}

/**
 * The root of the Chariots checkout this CLI runs from, or `undefined` when it was installed from
 * a registry or a tarball. Installed, this package sits in a `node_modules` folder; in a
 * checkout, two levels below a `pnpm-workspace.yaml` whose `packages/core` is `@chariots/core`.
 *
 * @example
 * ```ts
 * const checkout = await ownCheckout() // '/home/me/chariots-ts' when run from a clone
 * ```
 */
export async function ownCheckout(packageDir: string = PACKAGE_DIR): Promise<string | undefined> {
  const root = resolve(packageDir, '../..')
  if (!existsSync(join(root, 'pnpm-workspace.yaml'))) return undefined
  const core = await readManifest(join(root, 'packages/core'))
  return core?.name === '@chariots/core' ? root : undefined
}

/**
 * The `@chariots/*` packages of a checkout (the folders of `<checkout>/packages`), sorted by
 * name. Throws `INVALID_PATH` when the folder is no pnpm workspace or holds no `@chariots/core`.
 *
 * @example
 * ```ts
 * const names = (await checkoutPackages('.')).map((p) => p.name) // ['@chariots/core', …]
 * ```
 */
export async function checkoutPackages(checkout: string): Promise<CheckoutPackage[]> {
  const root = resolve(checkout, 'packages')
  if (!existsSync(resolve(checkout, 'pnpm-workspace.yaml'))) {
    throw new ChariotsError(
      ErrorCode.INVALID_PATH,
      `'${checkout}' is not a checkout of Chariots: it has no pnpm-workspace.yaml; ` +
        'pass the folder of a clone of the Chariots repository',
    )
  }
  const found: CheckoutPackage[] = []
  for (const entry of await readdir(root).catch(() => [] as string[])) {
    const manifest = await readManifest(join(root, entry))
    if (manifest?.name?.startsWith('@chariots/') && manifest.private !== true) {
      found.push({ name: manifest.name, version: manifest.version ?? '0.0.0', dir: join(root, entry) })
    }
  }
  if (!found.some((p) => p.name === '@chariots/core')) {
    throw new ChariotsError(
      ErrorCode.INVALID_PATH,
      `'${checkout}' is not a checkout of Chariots: ${root} holds no @chariots/core package; ` +
        'pass the folder of a clone of the Chariots repository',
    )
  }
  return found.sort((a, b) => a.name.localeCompare(b.name))
}

interface Manifest {
  name?: string
  version?: string
  private?: boolean
}

async function readManifest(dir: string): Promise<Manifest | undefined> {
  const text = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined)
  return text === undefined ? undefined : (JSON.parse(text) as Manifest)
}
