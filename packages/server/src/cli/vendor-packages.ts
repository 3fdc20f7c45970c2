import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { ChariotsError } from '@chariots/core'
import { type KnownErrorCode, ServerErrorCode } from '../errors/server-error-code.js'
import type { CheckoutPackage } from './chariots-checkout.js'

/** The project folder that holds the packed `@chariots/*` packages. */
export const VENDOR_DIR = 'vendor'

/**
 * The file name `pnpm pack` gives a package's tarball: `@chariots/core` 0.1.0 →
 * `chariots-core-0.1.0.tgz`.
 *
 * @example
 * ```ts
 * tarballName({ name: '@chariots/ml', version: '0.1.0' }) // 'chariots-ml-0.1.0.tgz'
 * ```
 */
export function tarballName(pkg: Pick<CheckoutPackage, 'name' | 'version'>): string {
  return `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`
}

/**
 * Refuses packages that were not built: a package ships `dist/` only (its `files`), so a tarball
 * packed before `pnpm build` would hold no code. Throws `NOT_BUILT` naming them and the fix.
 *
 * @example
 * ```ts
 * assertBuilt('/src/chariots-ts', await checkoutPackages('/src/chariots-ts'))
 * ```
 */
export function assertBuilt(checkout: string, packages: CheckoutPackage[]): void {
  const missing = packages.filter((p) => !existsSync(join(p.dir, 'dist/index.js')))
  if (missing.length === 0) return
  throw new ChariotsError<KnownErrorCode>(
    ServerErrorCode.NOT_BUILT,
    `the Chariots packages of ${checkout} are not built (${missing.map((p) => p.name).join(', ')} ` +
      `have no dist/index.js): run \`pnpm install && pnpm build\` in ${checkout}, then chariots new again`,
  )
}

/**
 * Packs every package with `pnpm pack` (which turns the `workspace:*` ranges between them into
 * their versions) into `<project>/vendor/`, and answers each package's dependency spec for the
 * project's package.json: `file:vendor/<tarball>`. Throws `PACK_FAILED` (and removes `vendor/`)
 * when pnpm is missing or fails.
 *
 * @example
 * ```ts
 * const specs = await vendorPackages(checkout, await checkoutPackages(checkout), '/tmp/demo')
 * specs.get('@chariots/core') // 'file:vendor/chariots-core-0.1.0.tgz'
 * ```
 */
export async function vendorPackages(
  checkout: string,
  packages: CheckoutPackage[],
  project: string,
): Promise<Map<string, string>> {
  const dest = join(project, VENDOR_DIR)
  await mkdir(dest, { recursive: true })
  const filters = packages.flatMap((p) => ['--filter', p.name])
  const args = ['-r', ...filters, 'pack', '--pack-destination', dest]
  const failure = await runPnpm(args, checkout)
  const missing = packages.filter((p) => !existsSync(join(dest, tarballName(p))))
  if (failure !== undefined || missing.length > 0) {
    await rm(dest, { recursive: true, force: true })
    throw new ChariotsError<KnownErrorCode>(
      ServerErrorCode.PACK_FAILED,
      `could not pack the Chariots packages of ${checkout} into ${dest} with \`pnpm ${args.join(' ')}\`` +
        `${failure ? `: ${failure}` : `: no tarball for ${missing.map((p) => p.name).join(', ')}`}`,
    )
  }
  return new Map(packages.map((p) => [p.name, `file:${relative(project, join(dest, tarballName(p)))}`]))
}

/** Runs pnpm; answers undefined on success, else why it failed (its last lines of output). */
function runPnpm(args: string[], cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn('pnpm', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.once('error', (err: NodeJS.ErrnoException) => {
      resolve(
        err.code === 'ENOENT'
          ? 'pnpm is not on the PATH; install it (npm i -g pnpm@10.34.9) and run chariots new again'
          : err.message,
      )
    })
    child.once('close', (code) => {
      if (code === 0) return resolve(undefined)
      const tail = output.trim().split('\n').slice(-5).join('\n')
      resolve(`pnpm exited with ${code} (run the command in ${cwd} to see why)${tail ? `:\n${tail}` : ''}`)
    })
  })
}
