// Restores a model from its JSON text in a fresh `node` process running the built package, so a
// round trip cannot lean on anything held in the test's memory.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const dist = resolve(fileURLToPath(import.meta.url), '../../../dist/index.js')

/** Writes `json` to a temp file, then `fromJSON` + `predict(X)` in a child process; returns its predictions. */
export async function predictInChild(json: unknown, X: number[][]): Promise<unknown> {
  if (!existsSync(dist)) throw new Error(`${dist} is missing: build first (cd packages/ml && npx tsc -b)`)
  const dir = await mkdtemp(join(tmpdir(), 'chariots-ml-'))
  try {
    const modelPath = join(dir, 'model.json')
    const script = join(dir, 'predict.mjs')
    await writeFile(modelPath, JSON.stringify(json))
    await writeFile(join(dir, 'x.json'), JSON.stringify(X))
    await writeFile(
      script,
      [
        `import { readFileSync } from 'node:fs'`,
        `import { modelAdapters } from ${JSON.stringify(pathToFileURL(dist).href)}`,
        `const json = JSON.parse(readFileSync(${JSON.stringify(modelPath)}, 'utf8'))`,
        `const X = JSON.parse(readFileSync(${JSON.stringify(join(dir, 'x.json'))}, 'utf8'))`,
        `process.stdout.write(JSON.stringify(modelAdapters[json.kind].fromJSON(json).predict(X)))`,
      ].join('\n'),
    )
    const { stdout } = await run(process.execPath, [script], { maxBuffer: 64 * 1024 * 1024 })
    return JSON.parse(stdout)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
