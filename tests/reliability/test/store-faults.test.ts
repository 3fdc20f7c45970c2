// Store faults: an unwritable store (a file where a folder must be: tests run as root, so chmod
// proves nothing), a full disk (for real on a 16 MB tmpfs when the machine lets root mount one,
// and injected ENOSPC to pick exactly which write fails), and a server killed with SIGKILL in the
// middle of saves. Each save answers a clear error, the server stays up, and the previous state
// stays intact for this server and for a fresh one: the index (the newest
// `/_index/<commit>.json`) is unchanged byte for byte, and so is the set of committed records.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, readdir, readFile, rm, statfs, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Chariots } from '@chariots/server'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectJsonError } from './helpers/expect-json-error.js'
import { type InjectedFault, injectEnospc } from './helpers/inject-enospc.js'
import { expectedPrediction, modelPipelines } from './helpers/model-pipelines.js'
import { serveChild } from './helpers/serve-child.js'
import { startTestServer, type TestServer } from './helpers/start-test-server.js'
import {
  blobProblems,
  committedRecords,
  indexBytes,
  indexOnDisk,
  isTempFile,
  listing,
} from './helpers/store-files.js'
import { type TempStore, tempStore } from './helpers/temp-store.js'

const KILL_APP = fileURLToPath(new URL('./fixtures/kill-save-app.ts', import.meta.url))
const S1 = [1, 2, 3, 10]
const S2 = [5, 7, 30, 100]
const NOT_TRAINED =
  "pipeline 'predict' is not loaded: node 'meanop' has no saved state yet, node 'maxop' has no saved state yet; train and save 'train' first"
/** A blob of each model, as a save writes them (content-addressed: the SHA-256 of the bytes). */
const BLOB = {
  meanop: expect.stringMatching(/^models\/meanop\/[0-9a-f]{64}$/),
  maxop: expect.stringMatching(/^models\/maxop\/[0-9a-f]{64}$/),
}

/** A save as the Python client sends it: JSON, body `null` (a body-less POST is refused with 415). */
const SAVE = { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'null' }
const post = (server: TestServer, path: string, body: unknown) =>
  server.request({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
const train = async (server: TestServer, xs: number[]) => {
  const res = await post(server, '/pipelines/train/main', { pipeline_input: xs })
  expect(res.status).toBe(200)
}
const save = (server: TestServer) => post(server, '/pipelines/train/save', null)
/** A save that must answer 200 with both models written under save-order number `seq`. */
const saveOk = async (server: TestServer, seq: number) => {
  const res = await save(server)
  expect(res.status).toBe(200)
  const state = { seq, version: expect.any(String) }
  expect(res.json().saved).toEqual({ meanop: state, maxop: state })
}
const load = (server: TestServer) => post(server, '/pipelines/predict/load', null)
/** A load that must answer 200 holding both models of save `seq`. */
const loadOk = async (server: TestServer, seq: number) => {
  const res = await load(server)
  expect(res.status).toBe(200)
  const state = { seq, version: expect.any(String) }
  expect(res.json()).toMatchObject({ loaded: true, states: { meanop: state, maxop: state } })
}
const predict = async (server: TestServer, x = 50) => {
  const res = await post(server, '/pipelines/predict/main', { pipeline_input: [x] })
  expect(res.status).toBe(200)
  return res.json().pipeline_output
}
const healthy = async (server: TestServer, predictLoaded: boolean) => {
  const res = await server.request({ path: '/health_check' })
  expect(res.status).toBe(200)
  expect(res.json()).toEqual({ train: true, predict: predictLoaded })
}
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/** What must not change when a save fails: the index files' bytes and the committed records. */
const committed = async (root: string) => ({
  index: await indexBytes(root),
  records: await committedRecords(root),
})

describe('store faults', () => {
  let store: TempStore
  const servers: TestServer[] = []
  const open = async (root: string, paddingBytes = 0) => {
    const app = new Chariots(modelPipelines({ paddingBytes }), { path: root })
    await app.ready()
    const server = await startTestServer(app)
    servers.push(server)
    return server
  }
  /** An app on `root` whose models were trained on S1 and saved. */
  const openSaved = async (root: string, paddingBytes = 0) => {
    const server = await open(root, paddingBytes)
    await train(server, S1)
    await saveOk(server, 1)
    await loadOk(server, 1)
    expect(await predict(server)).toEqual(expectedPrediction(S1, 50))
    return server
  }
  /** What a brand-new app on the same root predicts, or its 419 when not loaded. */
  const freshPrediction = async (root: string): Promise<unknown> => {
    const server = await open(root)
    const res = await post(server, '/pipelines/predict/main', { pipeline_input: [50] })
    return res.status === 200 ? res.json().pipeline_output : res.json()
  }

  beforeAll(async () => {
    store = await tempStore()
  })
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close()
  })
  afterAll(async () => {
    await store?.remove()
  })

  describe('an unwritable store, for real', () => {
    it('a file where the store root folder should be: save is a 500 naming the path and the cause', async () => {
      const root = store.root('file-as-root')
      await writeFile(root, 'a file, not a folder')
      const outside = await store.snapshotOutside()
      const server = await open(root)
      await healthy(server, false)
      await train(server, S1)

      const res = await save(server)
      expectJsonError(
        res,
        500,
        'STORE_ERROR',
        expect.stringMatching(
          new RegExp(
            `^could not write '/models/meanop/[^']+' under store root '${escapeRe(root)}': a file stands where a folder is needed \\((ENOTDIR|EEXIST)\\)$`,
          ),
        ),
        { errno: expect.stringMatching(/^(ENOTDIR|EEXIST)$/) },
      )
      // The server stays up, nothing was written anywhere, and the file is as it was.
      await healthy(server, false)
      expect(await readFile(root, 'utf8')).toBe('a file, not a folder')
      expect(await store.snapshotOutside()).toEqual(outside)
      // /load answers 200 (the 0.2.4 client reads a 419 from /load as a version error) and says why.
      const loaded = await load(server)
      expect(loaded.status).toBe(200)
      expect(loaded.json()).toMatchObject({ loaded: false, reason: NOT_TRAINED, states: {} })
      expectJsonError(
        await server.request({ path: '/pipelines/predict/health_check' }),
        419,
        'PIPELINE_NOT_LOADED',
        NOT_TRAINED,
        // The 419 names what to retrain: the plan says 'train' trains both models.
        { pipeline: 'predict', plan: expect.objectContaining({ loadable: false, retrain: ['train'] }) },
      )
    })

    it('a file where models/ should be: save is a 500 naming the path, no index is written, and it works once the file is gone', async () => {
      const root = store.root('file-as-models')
      await mkdir(root, { recursive: true })
      await writeFile(join(root, 'models'), 'in the way')
      const server = await open(root)
      await train(server, S1)

      expectJsonError(
        await save(server),
        500,
        'STORE_ERROR',
        expect.stringMatching(
          new RegExp(
            `^could not write '/models/meanop/[^']+' under store root '${escapeRe(root)}': a file stands where a folder is needed \\((ENOTDIR|EEXIST)\\)$`,
          ),
        ),
        { errno: expect.stringMatching(/^(ENOTDIR|EEXIST)$/) },
      )
      await healthy(server, false)
      expect(await listing(root)).toEqual(['models'])

      await rm(join(root, 'models'))
      await saveOk(server, 1)
      await loadOk(server, 1)
      expect(await predict(server)).toEqual(expectedPrediction(S1, 50))
    })

    it('a file where .locks/ should be: save is a 500 naming the store root, and the previous state stays', async () => {
      const root = store.root('file-as-locks')
      const server = await openSaved(root)
      const before = await committed(root)
      await rm(join(root, '.locks'), { recursive: true, force: true })
      await writeFile(join(root, '.locks'), 'in the way')

      await train(server, S2)
      expectJsonError(
        await save(server),
        500,
        'STORE_ERROR',
        `could not create the lock folder under store root '${root}': a file stands where a folder is needed (EEXIST)`,
        { errno: 'EEXIST' },
      )
      await healthy(server, true)
      expect(await committed(root)).toEqual(before)
      // The models written before the commit failed are not served: not here after a load, not by a fresh app.
      expect(await predict(server)).toEqual(expectedPrediction(S1, 50))
      await loadOk(server, 1)
      expect(await predict(server)).toEqual(expectedPrediction(S1, 50))
      expect(await freshPrediction(root)).toEqual(expectedPrediction(S1, 50))
    })
  })

  describe('a full disk (ENOSPC injected)', () => {
    let fault: InjectedFault | undefined
    afterEach(() => {
      fault?.restore()
      fault = undefined
    })

    // A save writes the models (upstream first), then, under the lock, creates the next index file:
    // fail each write in turn. `newFiles` are the files a failed save leaves (bytes no index names).
    const lockFile = (root: string) => join(root, '.locks', 'index.lock')
    const writes = [
      { write: 1, what: 'the first model', failing: () => "'/models/meanop/[^']*'", newFiles: [] },
      { write: 2, what: 'the second model', failing: () => "'/models/maxop/[^']*'", newFiles: [BLOB.meanop] },
      {
        write: 3,
        what: 'the next index file',
        failing: () => "'/_index/000000000002\\.json'",
        newFiles: [BLOB.maxop, BLOB.meanop],
      },
    ]
    for (const { write, what, failing, newFiles } of writes) {
      it(`ENOSPC while writing ${what} of a save: a 500 naming it, the previous state intact`, async () => {
        const root = store.root(`enospc-${write}`)
        const server = await openSaved(root)
        const before = await committed(root)
        const files = await listing(root)

        await train(server, S2)
        fault = await injectEnospc(write)
        const res = await save(server)
        expect(fault.fired()).toBe(true)
        fault.restore()
        expectJsonError(
          res,
          500,
          'STORE_ERROR',
          expect.stringMatching(
            new RegExp(
              `^could not write ${failing()} under store root '${escapeRe(root)}': the disk is full \\(ENOSPC\\)$`,
            ),
          ),
          { errno: 'ENOSPC' },
        )

        // The server stays up; the index and its records are unchanged byte for byte; no temp file
        // and no lock is left.
        await healthy(server, true)
        expect(await committed(root)).toEqual(before)
        const after = await listing(root)
        expect(after.filter(isTempFile)).toEqual([])
        expect(existsSync(lockFile(root))).toBe(false)
        // Only models written before the failing write are new (no index names them).
        expect(after.filter((f) => !files.includes(f))).toEqual(newFiles)
        // Predicting, loading again, and a fresh app all give the previous models.
        expect(await predict(server)).toEqual(expectedPrediction(S1, 50))
        await loadOk(server, 1)
        expect(await predict(server)).toEqual(expectedPrediction(S1, 50))
        expect(await freshPrediction(root)).toEqual(expectedPrediction(S1, 50))

        // Once there is room again, the same save works: the next save-order number, S2 served.
        await saveOk(server, 2)
        await loadOk(server, 2)
        expect(await predict(server)).toEqual(expectedPrediction(S2, 50))
      })
    }

    it('a save makes exactly three synced writes (two models, then the index): the list above is all of them', async () => {
      const root = store.root('enospc-count')
      const server = await openSaved(root)
      await train(server, S2)
      fault = await injectEnospc(4)
      await saveOk(server, 2)
      expect(fault.fired()).toBe(false)
      expect(fault.writes()).toBe(3)
      fault.restore()
      expect((await indexBytes(root)).files).toEqual(['000000000001.json', '000000000002.json'])
      expect(await freshPrediction(root)).toEqual(expectedPrediction(S2, 50))
    })
  })

  describe('a full disk, for real: the store on a small tmpfs', () => {
    // Needs root with CAP_SYS_ADMIN (true on the build machines); elsewhere these cases skip.
    const MODEL = 1024 * 1024
    let mountPoint: string | undefined

    beforeAll(async () => {
      const dir = join(store.parent, 'small-disk')
      await mkdir(dir)
      const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir], {
        encoding: 'utf8',
      })
      if (mounted.status === 0) mountPoint = dir
    })
    afterAll(() => {
      if (mountPoint && spawnSync('umount', [mountPoint]).status !== 0)
        spawnSync('umount', ['-l', mountPoint])
    })

    /** Fills the disk with a file until `leave` bytes are free. */
    const fill = async (leave: number) => {
      const { bavail, bsize } = await statfs(mountPoint!)
      await writeFile(
        join(mountPoint!, `filler-${Date.now()}`),
        Buffer.alloc(Math.max(0, bavail * bsize - leave)),
      )
    }
    const emptyFiller = async () => {
      for (const name of await readdir(mountPoint!))
        if (name.startsWith('filler-')) await rm(join(mountPoint!, name))
    }

    for (const { what, leave, path, newFiles } of [
      { what: 'the first model', leave: 256 * 1024, path: '/models/meanop/', newFiles: [] },
      {
        what: 'the second model',
        leave: MODEL + 512 * 1024,
        path: '/models/maxop/',
        newFiles: [BLOB.meanop],
      },
    ]) {
      it(`a real full disk while writing ${what}: a 500 naming it, the previous state intact`, async (ctx) => {
        if (!mountPoint) ctx.skip()
        const root = join(mountPoint!, `app-${newFiles.length}`)
        const server = await openSaved(root, MODEL)
        const committedBefore = await committed(root)
        const before = await listing(root)
        await train(server, S2)
        await fill(leave)

        expectJsonError(
          await save(server),
          500,
          'STORE_ERROR',
          expect.stringMatching(
            new RegExp(
              `^could not write '${escapeRe(path)}[^']*' under store root '${escapeRe(root)}': the disk is full \\(ENOSPC\\)$`,
            ),
          ),
          { errno: 'ENOSPC' },
        )
        await healthy(server, true)
        expect(await committed(root)).toEqual(committedBefore)
        const after = await listing(root)
        expect(after.filter(isTempFile)).toEqual([])
        expect(after.filter((f) => !before.includes(f))).toEqual(newFiles)
        expect(await predict(server)).toEqual(expectedPrediction(S1, 50))
        await loadOk(server, 1)
        expect(await predict(server)).toEqual(expectedPrediction(S1, 50))
        expect(await freshPrediction(root)).toEqual(expectedPrediction(S1, 50))

        await emptyFiller()
        await saveOk(server, 2)
        await loadOk(server, 2)
        expect(await predict(server)).toEqual(expectedPrediction(S2, 50))
      })
    }
  })

  describe('a server killed with SIGKILL during saves', () => {
    const PADDING = 24 * 1024 * 1024
    /** When to kill: `fired` is polled while the save runs; `arm` runs just before the save is sent. */
    type Trigger = { name: string; arm: (root: string) => void; fired: (root: string) => boolean }
    /** Fires when an entry containing `part` appears in one of `dirs` that was not there when armed. */
    const appears = (name: string, part: string, dirs: string[]): Trigger => {
      let seen = new Set<string>()
      const entries = (root: string) =>
        dirs.flatMap((d) =>
          names(join(root, d))
            .filter((n) => n.includes(part))
            .map((n) => `${d}/${n}`),
        )
      return {
        name,
        arm: (root) => {
          seen = new Set(entries(root))
        },
        fired: (root) => entries(root).some((e) => !seen.has(e)),
      }
    }
    const tmpIn = (op: string) => appears(`a temp file of models/${op}/ appears`, '.tmp-', [`models/${op}`])
    const indexWrite = appears('the temp file of the next index appears', '.json.tmp-', ['_index'])
    /** Fires when the store lock is taken by the server (the lock file holds a new holder). */
    const lockTaken: Trigger = (() => {
      let armed: string | null = null
      return {
        name: 'the store lock is taken',
        arm: (root) => {
          armed = lockHolder(root)
        },
        fired: (root) => {
          const now = lockHolder(root)
          return now !== null && now !== armed
        },
      }
    })()
    const after = (ms: number): Trigger => {
      let start = 0
      return {
        name: `${ms} ms after the save was sent`,
        arm: () => {
          start = Date.now()
        },
        fired: () => Date.now() - start >= ms,
      }
    }

    it('SIGKILL during saves, 7 times around one completed save: the index always parses, names only complete bytes, and a fresh app serves the previous or the new state', async () => {
      const root = store.root('killed')
      // A lock timeout shorter than FileSaver's staleLockMs (30 s): a save behind the lock of a killed
      // server succeeds only if that lock is broken because its holder is dead.
      const env = {
        CHARIOTS_APP_PATH: root,
        MODEL_PADDING_BYTES: String(PADDING),
        CHARIOTS_LOCK_TIMEOUT_MS: '10000',
      }
      let confirmed: { xs: number[]; seq: number } | null = null
      let killedMidWrite = 0
      let locksLeft = 0
      // The first save ever is killed; then one save completes; then saves are killed at each stage.
      const rounds: (Trigger | 'complete')[] = [
        tmpIn('meanop'),
        'complete',
        tmpIn('maxop'),
        lockTaken,
        indexWrite,
        tmpIn('meanop'),
        after(40),
        after(150),
      ]

      for (const [i, trigger] of rounds.entries()) {
        const xs = [i, i * 3, i * 7 + 1, 100 + i]
        const before = await listing(root)
        const lockBefore = lockHolder(root)
        const served = await serveChild(KILL_APP, env)
        try {
          const trained = await fetch(`${served.url}/pipelines/train/main`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ pipeline_input: xs }),
          })
          expect(trained.status).toBe(200)
          if (trigger === 'complete') {
            expect((await fetch(`${served.url}/pipelines/train/save`, SAVE)).status).toBe(200)
          } else {
            trigger.arm(root)
            const saving = fetch(`${served.url}/pipelines/train/save`, SAVE).then(
              (r) => r.status,
              () => 'cut' as const,
            )
            let answered: number | 'cut' | undefined
            void saving.then((s) => {
              answered = s
            })
            while (!trigger.fired(root) && answered === undefined) await new Promise((r) => setImmediate(r))
            await served.kill()
            const status = await saving
            if (status !== 'cut') expect(status).toBe(200)
          }
        } finally {
          await served.kill()
        }

        // What a kill leaves: maybe temp files, maybe a lock, maybe models no index names yet.
        const files = await listing(root)
        if (files.some((f) => isTempFile(f) && !before.includes(f))) killedMidWrite++
        if (lockHolder(root) !== null && lockHolder(root) !== lockBefore) locksLeft++
        // Every index file parses; every state the newest index names has its complete bytes
        // (never a temp file).
        const index = await indexOnDisk(root)
        expect(await blobProblems(root, index.records)).toEqual([])
        // A new process reads that same newest commit.
        expect(await committedRecords(root)).toEqual(
          [...index.records].sort((a, b) => a.seq - b.seq || a.node.localeCompare(b.node)),
        )

        // The previous state or the new one, exactly as the index says: a save committed (one more
        // save-order number) or it did not.
        const seq = Math.max(0, ...index.records.map((r) => r.seq))
        expect(seq - (confirmed?.seq ?? 0)).toBeOneOf(trigger === 'complete' ? [1] : [0, 1])
        const got = await freshPrediction(root)
        if (seq > (confirmed?.seq ?? 0)) {
          expect(got).toEqual(expectedPrediction(xs, 50))
          confirmed = { xs, seq }
        } else if (confirmed) {
          expect(got).toEqual(expectedPrediction(confirmed.xs, 50))
        } else {
          // Killed before the first save ever committed: reported as not loaded, cleanly.
          expect(got).toEqual({
            error: {
              code: 'PIPELINE_NOT_LOADED',
              message: NOT_TRAINED,
              // A 419 carries the retrain plan of its pipeline.
              details: {
                pipeline: 'predict',
                plan: expect.objectContaining({ pipeline: 'predict', loadable: false }),
              },
            },
          })
        }
      }

      // The kills landed inside writes (a temp file left behind), not only between saves.
      expect(killedMidWrite).toBeGreaterThanOrEqual(2)
      console.log(
        `[store-faults] SIGKILL rounds: ${killedMidWrite} left temp files, ${locksLeft} left a lock held by the killed server; last commit seq ${confirmed?.seq}`,
      )

      // A new server on the same store saves (any lock a killed server held is broken: its holder
      // is dead, long before the 10 s lock timeout) and a fresh app loads exactly what it saved.
      const served = await serveChild(KILL_APP, env)
      try {
        const xs = [2, 4, 6, 8]
        await fetch(`${served.url}/pipelines/train/main`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ pipeline_input: xs }),
        })
        const saved = await fetch(`${served.url}/pipelines/train/save`, SAVE)
        expect({ status: saved.status, body: await saved.json() }).toMatchObject({
          status: 200,
          body: {
            saved: { meanop: { seq: (confirmed?.seq ?? 0) + 1 }, maxop: { seq: (confirmed?.seq ?? 0) + 1 } },
          },
        })
        expect(await freshPrediction(root)).toEqual(expectedPrediction(xs, 50))
        expect(existsSync(join(root, '.locks', 'index.lock'))).toBe(false)
      } finally {
        await served.kill()
      }
    })
  })
})

/** The names in a folder (none when it is missing). */
function names(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

/** The content of the store lock file (its holder), or null when no one holds the lock. */
function lockHolder(root: string): string | null {
  try {
    return readFileSync(join(root, '.locks', 'index.lock'), 'utf8')
  } catch {
    return null
  }
}
