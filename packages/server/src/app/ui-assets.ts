import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ChariotsError, ErrorCode } from '@chariots/core'

/** One file the dashboard serves: its bytes and content type. */
export interface UiAsset {
  readonly body: Uint8Array
  readonly type: string
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
}

// src/app and dist/app are both two levels below the package root.
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * The dashboard's files, read once from the package (nothing comes from the internet): the page
 * and its stylesheet from `ui/`, its scripts as `pnpm build` compiled them into `dist/ui/`, and
 * Swagger UI from the package's own `swagger-ui-dist` dependency.
 *
 * @example
 * ```ts
 * const assets = new UiAssets()
 * assets.page('index.html').type // 'text/html; charset=utf-8'
 * ```
 */
export class UiAssets {
  readonly #cache = new Map<string, UiAsset | null>()

  /** A page or stylesheet of `ui/` (index.html, style.css). */
  page(name: string): UiAsset {
    return this.#read(`page:${name}`, join(PACKAGE_ROOT, 'ui', name))
  }

  /** A compiled script of the page (`main.js`, …), or null when there is none of that name. */
  script(name: string): UiAsset | null {
    const dir = join(PACKAGE_ROOT, 'dist', 'ui')
    if (!/^[a-z][a-z0-9-]*\.js$/.test(name)) return null
    if (!this.#cache.has('scripts')) {
      let names: string[] = []
      try {
        names = readdirSync(dir)
      } catch {
        throw notBuilt(dir)
      }
      this.#cache.set('scripts', { body: new TextEncoder().encode(names.join('\n')), type: '' })
    }
    const listed = new TextDecoder().decode(this.#cache.get('scripts')!.body).split('\n')
    return listed.includes(name) ? this.#read(`script:${name}`, join(dir, name)) : null
  }

  /** A file of swagger-ui-dist, or null when it is not one the API page uses. */
  swagger(name: string): UiAsset | null {
    if (!SWAGGER_FILES.has(name)) return null
    return this.#read(`swagger:${name}`, join(swaggerDir(), name))
  }

  #read(key: string, path: string): UiAsset {
    const hit = this.#cache.get(key)
    if (hit) return hit
    let body: Uint8Array
    try {
      body = readFileSync(path)
    } catch {
      throw notBuilt(path)
    }
    const asset = { body, type: TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream' }
    this.#cache.set(key, asset)
    return asset
  }
}

const SWAGGER_FILES = new Set([
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'favicon-32x32.png',
  'favicon-16x16.png',
])

function swaggerDir(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
}

function notBuilt(path: string): ChariotsError {
  return new ChariotsError(
    ErrorCode.INTERNAL,
    `the dashboard file '${path}' is missing from @chariots/server; build the package (pnpm build) or reinstall it`,
  )
}
