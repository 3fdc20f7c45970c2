/** The parts of a package.json that {@link withVendoredPackages} rewrites. */
interface Manifest {
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  overrides?: Record<string, string>
  pnpm?: { overrides?: Record<string, string> }
}

/**
 * Points a project's package.json at packed `@chariots/*` packages: each `@chariots/*` dependency
 * gets its `file:` spec, and every package (not only those depended on) gets an override for npm
 * (`overrides`) and for pnpm (`pnpm.overrides`). The overrides make the packages' own dependencies
 * on each other (`@chariots/ml` needs `@chariots/core` 0.1.0, which no registry has) resolve to the
 * tarballs too, and let `pnpm add @chariots/ml` later install the tarball. npm refuses an override
 * that differs from a direct dependency, so the two specs are the same string.
 *
 * @example
 * ```ts
 * const specs = new Map([['@chariots/core', 'file:vendor/chariots-core-0.1.0.tgz']])
 * withVendoredPackages('{"dependencies":{"@chariots/core":"^0.1.0"}}', specs)
 * // dependencies, overrides and pnpm.overrides: { "@chariots/core": "file:vendor/chariots-core-0.1.0.tgz" }
 * ```
 */
export function withVendoredPackages(json: string, specs: Map<string, string>): string {
  const pkg = JSON.parse(json) as Manifest
  for (const deps of [pkg.dependencies, pkg.devDependencies]) {
    for (const name of Object.keys(deps ?? {})) {
      const spec = specs.get(name)
      if (deps && spec) deps[name] = spec
    }
  }
  const overrides = Object.fromEntries(specs)
  pkg.overrides = { ...pkg.overrides, ...overrides }
  pkg.pnpm = { ...pkg.pnpm, overrides: { ...pkg.pnpm?.overrides, ...overrides } }
  return `${JSON.stringify(pkg, null, 2)}\n`
}
