import { isAbsolute, resolve } from 'node:path'
import { importAppModule } from '@chariots/app-loader'
import { ChariotsError, ErrorCode, PipelineHost } from '@chariots/core'

/**
 * Imports the module at `modulePath` and returns the pipeline host jobs run on: the default export,
 * else the named export `app` (what `chariots serve` and `chariots worker` serve), when it is a
 * `PipelineHost` or an app holding one (`app.host`, a `Chariots` app). A TypeScript module goes
 * through `@chariots/app-loader` (a cached bundle of the app's code); `chariots worker` compiles it
 * once in the worker process and gives its job threads the bundle, so no thread pays for a
 * TypeScript loader.
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
  const mod = await importAppModule(file)
  const host = [mod.default, mod.app, (mod.default as { default?: unknown } | undefined)?.default]
    .map(hostOf)
    .find((h) => h !== undefined)
  if (!host) {
    throw new ChariotsError(
      ErrorCode.INVALID_APP_MODULE,
      `module '${file}' exports no Chariots app: export it as the default export or as 'app'`,
    )
  }
  return host
}

// instanceof holds across the app and this module: @chariots/app-loader never makes a second copy
// of @chariots/core (testing/test/same-core.test.ts).
function hostOf(value: unknown): PipelineHost | undefined {
  if (value instanceof PipelineHost) return value
  const inner = (value as { host?: unknown } | null | undefined)?.host
  return inner instanceof PipelineHost ? inner : undefined
}
