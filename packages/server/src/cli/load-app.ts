import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Chariots } from '../app/chariots.js'

/**
 * Imports an app module (`.ts` through tsx) and answers its default export or its named export
 * `app`, which must be a `Chariots` app (anything with a `fetch` function).
 *
 * @example
 * ```ts
 * const { app, path } = await loadApp('src/app.ts')
 * ```
 */
export async function loadApp(modulePath: string): Promise<{ app: Chariots; path: string }> {
  const path = resolve(modulePath)
  if (!existsSync(path)) throw new Error(`app module '${modulePath}' does not exist (looked at ${path})`)
  const mod = await importModule(path)
  const app = [mod.default, mod.app, (mod.default as Record<string, unknown> | undefined)?.default].find(
    isApp,
  )
  if (!app) {
    throw new Error(
      `app module '${modulePath}' exports no app: export a Chariots app as the default export or as 'app'`,
    )
  }
  return { app, path }
}

function isApp(value: unknown): value is Chariots {
  return typeof (value as { fetch?: unknown } | null | undefined)?.fetch === 'function'
}

async function importModule(path: string): Promise<Record<string, unknown>> {
  if (/\.(c|m)?tsx?$/.test(path)) {
    const { tsImport } = await import('tsx/esm/api')
    return (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>
  }
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>
}
