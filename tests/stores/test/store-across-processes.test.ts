// One store shared by several processes, over each kind of store: 8 processes saving at once lose
// nothing, readers never see a broken store, and a process killed holding the store's lock leaves
// it loadable and the next writer goes on at once.
import { type ChildProcess, spawn } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LoadableOp, Node, Pipeline, ReservedNodes, SequentialRunner } from '@chariots/core'
import { STORE_KINDS, type StoreKit } from '@chariots/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { useStoreKits } from './helpers/store-kits.js'

const script = fileURLToPath(new URL('./fixtures/store-child.mjs', import.meta.url))
const kitOf = useStoreKits()
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

/** Starts a store-child.mjs process on the kit's store; `done()` resolves with its report when it exits with 0. */
function startChild(kit: StoreKit, mode: 'save' | 'hold-lock', child: number, count: number) {
  const proc = spawn(process.execPath, [script, mode, String(child), String(count)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...kit.env },
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

async function expectAllSaved(kit: StoreKit, reports: ChildReport[]): Promise<void> {
  const { store } = await kit.open()
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

/** What a store of the kind must not leave behind: the folder store's temporary and lock files, old index files. */
async function expectNoLeftovers(kit: StoreKit): Promise<void> {
  if (kit.kind !== 'folder') return
  const root = kit.env.CHARIOTS_STORE!
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  const left = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1))
  expect(left.filter((f) => f.includes('.tmp-') || f.includes('.lock'))).toEqual([])
  expect(left.filter((f) => f.startsWith('_index/')).length).toBeLessThanOrEqual(9)
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

describe.each(STORE_KINDS)('one %s store shared by several processes', (kind) => {
  it('keeps every state when 8 processes each save 25 pipelines at once', async () => {
    const kit = await kitOf(kind)
    const children = Array.from({ length: 8 }, (_, i) => startChild(kit, 'save', i, 25))
    const reports = await Promise.all(children.map((c) => c.done()))
    expect(reports.flatMap((r) => r.saved)).toHaveLength(200)
    await expectAllSaved(kit, reports)
    // 200 commits, each with its own save-order number, and the bytes of each.
    const { store, saver } = await kit.open()
    const nodes = await store.listNodes()
    const seqs = (await Promise.all(nodes.map((n) => store.listStates(n)))).flat().map((r) => r.seq)
    expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
    const blobs = await Promise.all(nodes.map((n) => saver.list(`/models/${n}`)))
    expect(blobs.flat()).toHaveLength(200)
    await expectNoLeftovers(kit)
  }, 120_000) // 8 processes and 200 durable commits: slow when the suite loads both cores

  it('never shows a reader a broken store while processes save', async () => {
    const kit = await kitOf(kind)
    const children = Array.from({ length: 3 }, (_, i) => startChild(kit, 'save', i, 15))
    let saving = true
    const all = Promise.all(children.map((c) => c.done())).finally(() => {
      saving = false
    })
    // Awaited below; this keeps a failure from surfacing as an unhandled rejection meanwhile.
    all.catch(() => undefined)
    let reads = 0
    const sizes = new Set<number>()
    while (saving) {
      const { store } = await kit.open()
      sizes.add((await store.listNodes()).length)
      await store.close?.()
      reads++
    }
    const reports = await all
    expect(reads).toBeGreaterThan(10)
    // The reads saw the store grow, so they overlapped the saves.
    expect(sizes.size).toBeGreaterThan(2)
    await expectAllSaved(kit, reports)
  }, 60_000)

  it('stays loadable when a process is killed holding the lock, and the next writer goes on at once', async () => {
    const kit = await kitOf(kind)
    const child = startChild(kit, 'hold-lock', 0, 3)
    await child.waitForLine('locked')
    const { pid, saved } = child.report()
    if (kit.kind === 'folder') {
      // The folder store's lock file names its holder (what tells a live holder from a dead one).
      const lock = join(kit.env.CHARIOTS_STORE!, '.locks', 'index.lock')
      expect(JSON.parse(await readFile(lock, 'utf8'))).toMatchObject({ pid })
    }

    // A writer in this process waits while the holder lives...
    const { store } = await kit.open()
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
    // The store holds what was saved before the kill (and the waiting writer's save, which may
    // already have gone on), nothing else.
    const nodes = await (await kit.open()).store.listNodes()
    expect(nodes.filter((n) => n !== 'after_kill').sort()).toEqual(saved.map((s) => s.head).sort())

    // ...and goes on as soon as the holder is dead, far sooner than any lock timeout.
    await writing
    expect(Date.now() - killedAt).toBeLessThan(3_000)

    await expectAllSaved(kit, [{ child: 0, pid, saved }])
    expect(await (await kit.open()).store.listStates('after_kill')).toHaveLength(1)
    await expectNoLeftovers(kit)
  })
})
