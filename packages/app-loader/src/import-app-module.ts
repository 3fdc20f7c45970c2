import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { compileTypeScript } from './compile-type-script.js'

const TS_FILE = /\.(c|m)?tsx?$/
let tsxRegistered: Promise<void> | undefined

/**
 * Imports an app module: a `.js` file as it is, a `.ts` file through a cached bundle of the app's
 * own code ({@link compileTypeScript}), so no TypeScript loader hooks every import of every start.
 * Source maps are turned on, so stack traces name the `.ts` lines. `CHARIOTS_TS_LOADER=tsx` loads
 * through tsx instead (registered once for the whole process, so the app and the CLI share one
 * copy of every package), for apps whose imports a bundle cannot follow (a computed `import()`).
 *
 * @example
 * ```ts
 * const mod = await importAppModule('app.ts')
 * const app = findAppExport(mod, (v) => typeof (v as { fetch?: unknown })?.fetch === 'function')
 * ```
 */
export async function importAppModule(modulePath: string): Promise<Record<string, unknown>> {
  const file = resolve(modulePath)
  if (!TS_FILE.test(file)) return import(pathToFileURL(file).href)
  if (process.env.CHARIOTS_TS_LOADER === 'tsx') return importWithTsx(file)
  let bundle: string
  try {
    bundle = (await compileTypeScript(file)).file
  } catch (err) {
    // A folder the process cannot write to (a read-only image): load through tsx instead.
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') return importWithTsx(file)
    throw err
  }
  process.setSourceMapsEnabled(true)
  return import(pathToFileURL(bundle).href)
}

async function importWithTsx(file: string): Promise<Record<string, unknown>> {
  tsxRegistered ??= import('tsx/esm/api').then(({ register }) => void register())
  await tsxRegistered
  return import(pathToFileURL(file).href)
}

/**
 * The app a module exports: its default export, else its named export `app` (or a default export's
 * own default, as a CommonJS build gives), the first for which `isApp` holds.
 */
export function findAppExport<T>(
  mod: Record<string, unknown>,
  isApp: (value: unknown) => value is T,
): T | undefined {
  return [mod.default, mod.app, (mod.default as Record<string, unknown> | undefined)?.default].find(isApp)
}
