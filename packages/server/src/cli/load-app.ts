import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { findAppExport, importAppModule } from '@chariots/app-loader'
import { ChariotsError, ErrorCode } from '@chariots/core'
import type { Chariots } from '../app/chariots.js'

/**
 * Imports an app module (`.ts` through a cached bundle of the app's code, see
 * `@chariots/app-loader`) and answers its default export or its named export
 * `app`, which must be a `Chariots` app (anything with a `fetch` function). Every start-up
 * mistake is a one-line `INVALID_APP_MODULE` ChariotsError naming the module and the fix: a path
 * that does not exist, a module that fails to import (a syntax error, a missing package, an
 * error thrown while it runs), a module with no app export. The original error is its `cause`.
 *
 * @example
 * ```ts
 * const { app, path } = await loadApp('src/app.ts')
 * ```
 */
export async function loadApp(modulePath: string): Promise<{ app: Chariots; path: string }> {
  const path = resolve(modulePath)
  if (!existsSync(path)) {
    throw new ChariotsError(
      ErrorCode.INVALID_APP_MODULE,
      `app module '${modulePath}' does not exist (looked at ${path}); give the path of the file that exports your Chariots app, e.g. app.ts`,
    )
  }
  let mod: Record<string, unknown>
  try {
    mod = await importAppModule(path)
  } catch (cause) {
    throw new ChariotsError(
      ErrorCode.INVALID_APP_MODULE,
      `app module '${modulePath}' could not be loaded: ${describeImportError(cause)}`,
      { cause },
    )
  }
  const app = findAppExport(mod, isApp)
  if (!app) {
    throw new ChariotsError(
      ErrorCode.INVALID_APP_MODULE,
      `app module '${modulePath}' exports no app: export a Chariots app as the default export or as 'app'`,
    )
  }
  return { app, path }
}

/** One line saying why an import failed: the compiler's located error, else the first line. */
function describeImportError(err: unknown): string {
  if (err instanceof ChariotsError) return err.message
  if (!(err instanceof Error)) return String(err)
  const lines = err.message.split('\n')
  // esbuild (through tsx): "Transform failed with 1 error:\n/abs/app.ts:4:0: ERROR: Expected …"
  const located = lines.find((l) => l.includes(': ERROR: '))
  if (located) return located.replace(': ERROR: ', ': ')
  const code = (err as { code?: string }).code
  const first = lines[0] ?? ''
  if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
    // "imported from <the compiled bundle>" names a cache file, not the user's: leave it out.
    return `${first.replace(/ imported from \S+$/, '')}; install the package it names, or fix the import`
  }
  return `${err.name}: ${first}`
}

function isApp(value: unknown): value is Chariots {
  return typeof (value as { fetch?: unknown } | null | undefined)?.fetch === 'function'
}
