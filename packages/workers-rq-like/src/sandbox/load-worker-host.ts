import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ChariotsError, ErrorCode, type PipelineHost } from '@chariots/core'

/** The environment variable naming tsx's ESM API file, for sandbox processes loading a `.ts` app. */
export const TSX_API_ENV = 'CHARIOTS_TSX_API'

const TS_MODULE = /\.(c|m)?tsx?$/

let tsxRegistered: Promise<void> | undefined

/**
 * Imports the module at `modulePath` and returns the pipeline host jobs run on: the default export,
 * else the named export `app` (what `chariots serve` and `chariots worker` serve), when it is a
 * `PipelineHost` or an app holding one (`app.host`, a `Chariots` app). For a `.ts` module it
 * registers tsx in the whole process (found next to the module, the running script or the working
 * folder, or named by `CHARIOTS_TSX_API`): meant for the sandbox processes that run job bodies.
 *
 * @example
 * ```ts
 * const host = await loadWorkerHost('/srv/my-app/dist/app.js')
 * ```
 */
export async function loadWorkerHost(modulePath: string | undefined): Promise<PipelineHost> {
  if (!modulePath) {
    throw new ChariotsError(
      ErrorCode.INTERNAL,
      'the sandboxed job processor needs the app module: start workers with pool.startWorkers({ appModule }) (chariots worker <module>)',
    )
  }
  const file = isAbsolute(modulePath) ? modulePath : resolve(modulePath)
  const mod = await importModule(file)
  const host = [mod.default, mod.app, (mod.default as { default?: unknown } | undefined)?.default]
    .map(hostOf)
    .find((h) => h !== undefined)
  if (!host) {
    throw new ChariotsError(
      ErrorCode.INTERNAL,
      `module '${file}' exports no Chariots app: export it as the default export or as 'app'`,
    )
  }
  return host
}

/**
 * Where tsx's ESM API is, for a `.ts` app module (undefined for a `.js` one, or when tsx is not
 * installed anywhere the module, the running script or the working folder can see).
 */
export function resolveTsxApi(modulePath: string): string | undefined {
  if (!TS_MODULE.test(modulePath)) return undefined
  if (process.env[TSX_API_ENV]) return process.env[TSX_API_ENV]
  const bases = [modulePath, process.argv[1], join(process.cwd(), 'index.js')].filter((b): b is string => !!b)
  for (const base of bases) {
    try {
      // The ESM entry of 'tsx/esm/api' (require.resolve would give the CommonJS one).
      const manifest = createRequire(base).resolve('tsx/package.json')
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, unknown> }
      const entry = (pkg.exports?.['./esm/api'] as { import?: { default?: string } | string } | undefined)
        ?.import
      const file = typeof entry === 'string' ? entry : entry?.default
      if (file) return join(dirname(manifest), file)
    } catch {
      // not installed where this base can see it: try the next
    }
  }
  return undefined
}

async function importModule(file: string): Promise<{ default?: unknown; app?: unknown }> {
  const url = pathToFileURL(file).href
  if (!TS_MODULE.test(file)) return import(url)
  const tsxApi = resolveTsxApi(file)
  if (!tsxApi) {
    throw new ChariotsError(
      ErrorCode.INTERNAL,
      `app module '${file}' is TypeScript and tsx was not found to load it; install tsx, or build the app and pass the .js file`,
    )
  }
  // Register tsx for the whole process rather than tsImport: tsImport loads the module graph in a
  // namespace of its own, so the app's ops would get a second copy of @chariots/core (and their
  // reportProgress would not reach the job body's reporter). Sandbox processes are ours alone.
  tsxRegistered ??= import(pathToFileURL(tsxApi).href).then(
    (api: { register(): unknown }) => void api.register(),
  )
  await tsxRegistered
  return import(url)
}

function hostOf(value: unknown): PipelineHost | undefined {
  const isHost = (v: unknown): v is PipelineHost =>
    typeof v === 'object' && v !== null && typeof (v as PipelineHost).runJob === 'function'
  if (isHost(value)) return value
  const inner = (value as { host?: unknown } | null | undefined)?.host
  return isHost(inner) ? inner : undefined
}
