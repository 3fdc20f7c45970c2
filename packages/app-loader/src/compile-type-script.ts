import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ChariotsError, ErrorCode } from '@chariots/core'
import type { Plugin } from 'esbuild'

/** What {@link compileTypeScript} answers. */
export interface CompiledApp {
  /** The bundle to import (plain ESM JavaScript with an inline source map). */
  file: string
  /** True when this call built it; false when the cached bundle was still current. */
  built: boolean
}

interface Manifest {
  entry: string
  version: number
  inputs: Record<string, { size: number; mtimeMs: number }>
}

const FORMAT = 1
const TS_FILE = /\.(c|m)?tsx?$/

/**
 * Compiles a TypeScript app module, and the app's own files it imports, into one ESM bundle in a
 * cache folder beside it (`.chariots-cache/`, so the bundle's package imports, self-references
 * included, resolve as the app's do), and answers its path. Packages stay external: only the app's
 * code is compiled. While no input file changed (same sizes and times), the cached bundle is
 * answered without loading esbuild at all: a start then costs what a JavaScript app costs.
 *
 * Each file keeps its own `import.meta.url` (and `dirname` / `filename`), so an app that resolves
 * a folder against its own file (`new URL('./data', import.meta.url)`) finds it. A syntax error is
 * an `INVALID_APP_MODULE` ChariotsError naming the file, line and column.
 *
 * @example
 * ```ts
 * const { file } = await compileTypeScript('/srv/my-app/app.ts')
 * const mod = await import(pathToFileURL(file).href)
 * ```
 */
export async function compileTypeScript(entryPath: string): Promise<CompiledApp> {
  const entry = resolve(entryPath)
  const cacheDir = cacheFolderFor(entry)
  const name = createHash('sha1').update(entry).digest('hex').slice(0, 16)
  const file = join(cacheDir, `${name}.mjs`)
  const manifestFile = join(cacheDir, `${name}.json`)
  if (await isCurrent(file, manifestFile, entry)) return { file, built: false }
  await build(entry, file, manifestFile)
  return { file, built: true }
}

/**
 * `.chariots-cache/` beside the entry: package imports from there resolve through the same
 * `node_modules` folders as the entry's, and the same package.json scope (a folder inside
 * `node_modules` would lose the package's imports of itself).
 */
export function cacheFolderFor(entry: string): string {
  return join(dirname(entry), '.chariots-cache')
}

async function isCurrent(file: string, manifestFile: string, entry: string): Promise<boolean> {
  let manifest: Manifest
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Manifest
    if (manifest.version !== FORMAT || manifest.entry !== entry || !existsSync(file)) return false
  } catch {
    return false
  }
  for (const [path, seen] of Object.entries(manifest.inputs)) {
    const now = await stat(path).catch(() => null)
    if (!now || now.size !== seen.size || now.mtimeMs !== seen.mtimeMs) return false
  }
  return true
}

async function build(entry: string, file: string, manifestFile: string): Promise<void> {
  const esbuild = await import('esbuild')
  let result: Awaited<ReturnType<typeof esbuild.build>>
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      packages: 'external',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'inline',
      metafile: true,
      write: false,
      outfile: file,
      logLevel: 'silent',
      plugins: [ownImportMeta],
    })
  } catch (err) {
    throw compileError(entry, err)
  }
  const inputs: Manifest['inputs'] = {}
  for (const input of Object.keys(result.metafile!.inputs)) {
    const path = resolve(input)
    const s = await stat(path)
    inputs[path] = { size: s.size, mtimeMs: s.mtimeMs }
  }
  await mkdir(dirname(file), { recursive: true })
  await writeAtomically(file, result.outputFiles![0]!.contents)
  await writeAtomically(
    manifestFile,
    Buffer.from(JSON.stringify({ entry, version: FORMAT, inputs } satisfies Manifest)),
  )
}

/** Gives every compiled file its own `import.meta.url`, `.dirname` and `.filename` (a bundle has one). */
const ownImportMeta: Plugin = {
  name: 'chariots-own-import-meta',
  setup(build) {
    build.onLoad({ filter: TS_FILE }, async ({ path }) => {
      const source = await readFile(path, 'utf8')
      const contents = source
        .replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(path).href))
        .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(path)))
        .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(path))
      return { contents, loader: path.endsWith('x') ? 'tsx' : 'ts' }
    })
  },
}

async function writeAtomically(target: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    await writeFile(tmp, bytes)
    await rename(tmp, target)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

/** One line: the first compiler error with its file, line and column. */
function compileError(entry: string, err: unknown): ChariotsError {
  const first = (
    err as {
      errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }>
    }
  ).errors?.[0]
  const where = first?.location
    ? `${resolve(first.location.file)}:${first.location.line}:${first.location.column}: `
    : ''
  const text = first?.text ?? (err as Error).message
  return new ChariotsError(ErrorCode.INVALID_APP_MODULE, `${where}${text}`, {
    cause: err,
    details: {
      entry,
      ...(first?.location ? { file: resolve(first.location.file), line: first.location.line } : {}),
    },
  })
}
