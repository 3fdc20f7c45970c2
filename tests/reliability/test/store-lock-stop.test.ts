// A saving process paused while it holds the store lock (issue #12, item 5). Two `chariots serve`
// processes share one folder store (test/fixtures/kill-save-app.ts, every state kept). Server A is
// sent SIGSTOP at the moment it holds `/.locks/index.lock` in the middle of a save; for 35 s (longer
// than the 30 s after which the old store broke a lock) server B trains and saves: none of its saves
// may answer 200 while A holds the lock (they wait, then answer 503 TIMEOUT naming A). After
// SIGCONT, A's save and later saves of both servers answer 200, and every save answered 200 is in
// the store, as a fresh `new OpStore(new FileSaver(root)).listStates(node)` reads it.
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { FileSaver, OpStore } from '@chariots/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ServedChild, serveChild } from './helpers/serve-child.js'
import { type TempStore, tempStore } from './helpers/temp-store.js'

const APP = fileURLToPath(new URL('./fixtures/kill-save-app.ts', import.meta.url))
const STOPPED_FOR_MS = 35_000
const LOCK_TIMEOUT_MS = 3_000
const NODES = ['meanop', 'maxop'] as const
const JSON_POST = { method: 'POST', headers: { 'content-type': 'application/json' } }

/** A save answered 200: who, and the seq and versions it reported. */
interface Acknowledged {
  by: string
  seq: number
  versions: Record<string, string>
}

/** The pid in the store lock file, or null when no one holds it. */
function lockPid(root: string): number | null {
  try {
    const text = readFileSync(`${root}/.locks/index.lock`, 'utf8')
    const pid = /"pid":\s*(\d+)/.exec(text)?.[1] ?? /^(\d+)/.exec(text)?.[1]
    return pid === undefined ? null : Number(pid)
  } catch {
    return null
  }
}

async function train(server: ServedChild, xs: number[]): Promise<void> {
  const res = await fetch(`${server.url}/pipelines/train/main`, {
    ...JSON_POST,
    body: JSON.stringify({ pipeline_input: xs }),
  })
  expect(res.status).toBe(200)
}

/** POSTs a save; answers its status and body. */
async function save(server: ServedChild): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/pipelines/train/save`, { ...JSON_POST, body: 'null' })
  return { status: res.status, body: await res.json() }
}

describe('a server paused with SIGSTOP while it holds the store lock', () => {
  let store: TempStore
  let a: ServedChild
  let b: ServedChild
  let root: string

  beforeAll(async () => {
    store = await tempStore()
    root = store.root('shared')
    const env = {
      CHARIOTS_APP_PATH: root,
      CHARIOTS_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS),
      CHARIOTS_RETENTION: 'off',
      MODEL_PADDING_BYTES: String(256 * 1024),
    }
    ;[a, b] = await Promise.all([serveChild(APP, env), serveChild(APP, env)])
  }, 60_000)

  afterAll(async () => {
    if (a) process.kill(a.child.pid!, 'SIGCONT')
    await Promise.all([a?.kill(), b?.kill()])
    await store?.remove()
  })

  it('loses no acknowledged save: saves wait or answer 503 while it is stopped, and every save answered 200 is in the store after SIGCONT', async () => {
    const acknowledged: Acknowledged[] = []
    const record = (by: string, answer: { status: number; body: any }) => {
      expect(answer.status).toBe(200)
      const { meanop, maxop } = answer.body.saved
      expect(meanop.seq).toBe(maxop.seq)
      acknowledged.push({ by, seq: meanop.seq, versions: { meanop: meanop.version, maxop: maxop.version } })
    }
    await train(b, [1, 2, 3])
    record('B', await save(b))

    // Stop A at a moment it holds the lock inside a save (a save that slips through is just recorded).
    let pending: Promise<{ status: number; body: any }> | undefined
    let rounds = 0
    for (let round = 0; round < 40 && !pending; round++) {
      rounds++
      await train(a, [round, round * 2, 10 + round])
      let answer: { status: number; body: any } | undefined
      const saving = save(a)
      void saving.then((r) => (answer = r))
      while (answer === undefined && lockPid(root) !== a.child.pid) await new Promise((r) => setImmediate(r))
      if (answer === undefined) process.kill(a.child.pid!, 'SIGSTOP')
      await sleep(20)
      if (answer === undefined && lockPid(root) === a.child.pid) pending = saving
      else {
        process.kill(a.child.pid!, 'SIGCONT')
        record('A', await saving)
      }
    }
    expect(pending, 'A was never caught holding the lock in 40 saves').toBeDefined()

    // While A is stopped, holding the lock: B trains and saves again and again; none may answer 200.
    const t0 = Date.now()
    const whileStopped: { status: number; code?: string; message?: string }[] = []
    for (let i = 0; Date.now() - t0 < STOPPED_FOR_MS; i++) {
      await train(b, [100 + i, 200, 300])
      const answer = await save(b)
      whileStopped.push({
        status: answer.status,
        code: answer.body.error?.code,
        message: answer.body.error?.message,
      })
      if (answer.status === 200) record('B (A stopped)', answer)
    }
    expect(lockPid(root)).toBe(a.child.pid) // never broken while its holder lives
    console.log(
      `[store-lock-stop] A (pid ${a.child.pid}) caught holding the lock in save ${rounds}, stopped for ${((Date.now() - t0) / 1000).toFixed(1)} s; B's ${whileStopped.length} saves meanwhile: ${JSON.stringify([...new Set(whileStopped.map((w) => `${w.status} ${w.code}`))])}`,
    )
    expect(whileStopped.filter((w) => w.status === 200)).toEqual([])
    expect(whileStopped.length).toBeGreaterThanOrEqual(5)
    for (const w of whileStopped) {
      expect(w).toMatchObject({ status: 503, code: 'TIMEOUT' })
      expect(w.message).toMatch(
        new RegExp(
          `timed out after ${LOCK_TIMEOUT_MS} ms waiting for the store lock .*held by pid ${a.child.pid}`,
        ),
      )
    }

    // A resumes: its save completes; then both save again.
    process.kill(a.child.pid!, 'SIGCONT')
    record('A (resumed)', await pending!)
    await train(b, [7, 8, 9])
    record('B (after)', await save(b))
    await train(a, [4, 5, 6])
    record('A (after)', await save(a))
    expect(lockPid(root)).toBe(null)

    // Every acknowledged save is in the store, with the versions it answered; seqs distinct.
    const seqs = acknowledged.map((s) => s.seq)
    expect(new Set(seqs).size).toBe(seqs.length)
    const fresh = new OpStore(new FileSaver(root))
    for (const node of NODES) {
      const states = await fresh.listStates(node)
      const lost = acknowledged.filter(
        (s) => !states.some((r) => r.seq === s.seq && r.version === s.versions[node]),
      )
      expect({ node, lost }).toEqual({ node, lost: [] })
      expect(states.map((r) => r.seq)).toEqual([...seqs].sort((x, y) => x - y))
    }
  })
})
