import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { LoadableOp } from '../src/ops/loadable-op.js'
import { Node } from '../src/pipeline/node.js'
import { Pipeline } from '../src/pipeline/pipeline.js'
import { ReservedNodes } from '../src/pipeline/reserved-nodes.js'
import { SequentialRunner } from '../src/runners/sequential-runner.js'
import { FileSaver } from '../src/savers/file-saver.js'
import { OpStore } from '../src/store/op-store.js'
import { useTempDirs } from './fixtures/temp-dir.js'

const script = fileURLToPath(new URL('./fixtures/store-child.mjs', import.meta.url))
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url))
const tempDir = useTempDirs('chariots-processes-')
const running: ChildProcess[] = []

afterEach(() => {
  // A failed test may leave children behind: kill them, by their own pids only.
  for (const proc of running.splice(0))
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
})

interface Saved {
  head: string
  tail: string
  headVersion: string
  tailVersion: string
}
interface ChildReport {
  child: number
  pid: number
  saved: Saved[]
}

/** Starts a store-child.mjs process; `done()` resolves with its report when it exits with 0. */
function startChild(mode: 'save' | 'hold-lock', root: string, child: number, count: number) {
  expect(existsSync(dist), `build core first (cd packages/core && npx tsc -b): ${dist} is missing`).toBe(true)
  const proc = spawn(process.execPath, [script, mode, root, String(child), String(count)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.push(proc)
  let stdout = ''
  let stderr = ''
  const lines: ((line: string) => void)[] = []
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    for (const line of chunk.split('\n')) if (line) for (const l of lines) l(line)
  })
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal }))
  })
  const done = () =>
    exited.then(({ code, signal }) => {
      if (code !== 0) throw new Error(`child ${child} exited with ${code ?? signal}: ${stderr}`)
      return JSON.parse(stdout.trim().split('\n')[0]!) as ChildReport
    })
  const waitForLine = (wanted: string) =>
    new Promise<void>((resolve, reject) => {
      lines.push((line) => line === wanted && resolve())
      exited.then(() => reject(new Error(`child ${child} exited before printing '${wanted}': ${stderr}`)))
    })
  return { proc, done, exited, waitForLine, report: () => JSON.parse(stdout.split('\n')[0]!) as ChildReport }
}

/** Every file under `dir`, relative to it. */
async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
}

async function expectAllSaved(root: string, reports: ChildReport[]): Promise<void> {
  const store = new OpStore(new FileSaver(root), { retention: false })
  for (const { saved } of reports) {
    for (const s of saved) {
      const states = await store.listStates(s.head)
      expect(
        states.map((r) => r.version),
        `states of ${s.head}`,
      ).toEqual([s.headVersion])
      expect(await store.listStates(s.tail), `${s.tail} has no state`).toEqual([])
      expect(JSON.parse(Buffer.from(await store.readState(states[0]!)).toString())).toMatchObject({ runs: 1 })
    }
  }
}

class StateOp extends LoadableOp {
  static override opName = 'stateop'
  execute(x: unknown) {
    this.markStateChanged()
    return x
  }
  serialize() {
    return Buffer.from('{"runs":0}')
  }
  load() {}
}

function parentPipeline(name: string): Pipeline {
  return new Pipeline(
    [
      new Node(new StateOp(), {
        inputNodes: [ReservedNodes.pipelineInput],
        outputNodes: ReservedNodes.pipelineOutput,
        name,
      }),
    ],
    `${name}_pipeline`,
  )
}

describe('one store shared by several processes', () => {
  it('keeps every state when 8 processes each save 25 pipelines at once', async () => {
    const root = await tempDir()
    const children = Array.from({ length: 8 }, (_, i) => startChild('save', root, i, 25))
    const reports = await Promise.all(children.map((c) => c.done()))
    expect(reports.flatMap((r) => r.saved)).toHaveLength(200)
    await expectAllSaved(root, reports)
    // 200 commits, each with its own save-order number.
    const store = new OpStore(new FileSaver(root))
    const seqs = (await Promise.all((await store.listNodes()).map((n) => store.listStates(n))))
      .flat()
      .map((r) => r.seq)
    expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
    // No temporary file and no lock is left behind; only the last index files stay.
    const left = await files(root)
    expect(left.filter((f) => f.includes('.tmp-') || f.includes('.lock'))).toEqual([])
    expect(left.filter((f) => f.startsWith('models/'))).toHaveLength(200)
    expect(left.filter((f) => f.startsWith('_index/')).length).toBeLessThanOrEqual(9)
  }, 90_000) // 8 processes and 200 synced commits: slow when the suite loads both cores

  it('never shows a reader a broken index while processes save', async () => {
    const root = await tempDir()
    const children = Array.from({ length: 3 }, (_, i) => startChild('save', root, i, 15))
    let saving = true
    const all = Promise.all(children.map((c) => c.done())).finally(() => {
      saving = false
    })
    // Awaited below; this keeps a failure from surfacing as an unhandled rejection meanwhile.
    all.catch(() => undefined)
    let reads = 0
    const sizes = new Set<number>()
    while (saving) {
      const store = new OpStore(new FileSaver(root))
      sizes.add((await store.listNodes()).length)
      reads++
    }
    const reports = await all
    expect(reads).toBeGreaterThan(10)
    // The reads saw the index grow, so they overlapped the saves.
    expect(sizes.size).toBeGreaterThan(2)
    await expectAllSaved(root, reports)
  })

  it('stays loadable when a process is killed holding the lock, and the next writer goes on at once', async () => {
    const root = await tempDir()
    const child = startChild('hold-lock', root, 0, 3)
    await child.waitForLine('locked')
    const { pid, saved } = child.report()
    const lockFile = join(root, '.locks', 'index.lock')
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({ pid })

    // A writer in this process waits while the holder lives...
    const store = new OpStore(new FileSaver(root))
    let finished = false
    const pipeline = parentPipeline('after_kill')
    await new SequentialRunner().run(pipeline, 1)
    const writing = pipeline.save(store).then(() => {
      finished = true
    })
    await new Promise((r) => setTimeout(r, 300))
    expect(finished).toBe(false)

    const killedAt = Date.now()
    child.proc.kill('SIGKILL')
    expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' })
    // The index holds what was saved before the kill.
    expect([...(await new OpStore(new FileSaver(root)).listNodes())].sort()).toEqual(
      saved.map((s) => s.head).sort(),
    )

    // ...and goes on as soon as the holder is dead, far sooner than staleLockMs.
    await writing
    expect(Date.now() - killedAt).toBeLessThan(3_000)

    await expectAllSaved(root, [{ child: 0, pid, saved }])
    const fresh = new OpStore(new FileSaver(root))
    expect(await fresh.listStates('after_kill')).toHaveLength(1)
    expect(await readdir(join(root, '.locks'))).toEqual([])
  })
})
