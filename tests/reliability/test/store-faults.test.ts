// Store faults: an unwritable store (a file where a folder must be: tests run as root, so chmod
// proves nothing), a full disk (for real on a 16 MB tmpfs when the machine lets root mount one,
// and injected ENOSPC to pick exactly which write fails), and a server killed with SIGKILL in the
// middle of saves. Each save answers a clear error, the server stays up, and the previous state
// stays intact for this server and for a fresh one.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
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
import { type TempStore, tempStore } from './helpers/temp-store.js'

const KILL_APP = fileURLToPath(new URL('./fixtures/kill-save-app.ts', import.meta.url))
const S1 = [1, 2, 3, 10]
const S2 = [5, 7, 30, 100]
const NOT_TRAINED =
  "node 'meanop' of pipeline 'predict' needs saved state (a trained model) and none was saved for its code version; run and save the training pipeline first"

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
const load = (server: TestServer) => post(server, '/pipelines/predict/load', null)
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
/** The store's files (relative paths), temp files included. */
const listing = async (root: string) =>
  (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort()

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
    expect((await save(server)).status).toBe(200)
    expect((await load(server)).status).toBe(200)
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
      expect((await load(server)).status).toBe(200)
      expectJsonError(
        await server.request({ path: '/pipelines/predict/health_check' }),
        419,
        'PIPELINE_NOT_LOADED',
        NOT_TRAINED,
      )
    })

    it('a file where models/ should be: save is a 500 naming the path, no metadata is written, and it works once the file is gone', async () => {
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
      expect((await save(server)).status).toBe(200)
      expect((await load(server)).status).toBe(200)
      expect(await predict(server)).toEqual(expectedPrediction(S1, 50))
    })

    it('a file where .locks/ should be: save is a 500 naming the store root, and the previous state stays', async () => {
      const root = store.root('file-as-locks')
      const server = await openSaved(root)
      const meta = await readFile(join(root, '_meta.json'))
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
      expect(await readFile(join(root, '_meta.json'))).toEqual(meta)
      // The models written before the metadata failed are not served: not here after a load, not by a fresh app.
      expect(await predict(server)).toEqual(expectedPrediction(S1, 50))
      expect((await load(server)).status).toBe(200)
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

    // FileSaver writes the models upstream first, then `_meta.json`: fail each write in turn.
    const writes = [
      { write: 1, what: 'the first model', path: '/models/meanop/' },
      { write: 2, what: 'the second model', path: '/models/maxop/' },
      { write: 3, what: 'the metadata', path: '/_meta.json' },
    ]
    for (const { write, what, path } of writes) {
      it(`ENOSPC while writing ${what} of a save: a 500 naming it, the previous state intact`, async () => {
        const root = store.root(`enospc-${write}`)
        const server = await openSaved(root)
        const meta = await readFile(join(root, '_meta.json'))
        const before = await listing(root)

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
              `^could not write '${escapeRe(path)}[^']*' under store root '${escapeRe(root)}': the disk is full \\(ENOSPC\\)$`,
            ),
          ),
          { errno: 'ENOSPC' },
        )

        // The server stays up; `_meta.json` is unchanged byte for byte; no temp file is left.
        await healthy(server, true)
        expect(await readFile(join(root, '_meta.json'))).toEqual(meta)
        const after = await listing(root)
        expect(after.filter((f) => f.includes('.tmp-'))).toEqual([])
        // Only models written before the failing write are new (they are not linked in the metadata).
        expect(after.filter((f) => !before.includes(f))).toHaveLength(write - 1)
        // Predicting, loading again, and a fresh app all give the previous models.
        expect(await predict(server)).toEqual(expectedPrediction(S1, 50))
        expect((await load(server)).status).toBe(200)
        expect(await predict(server)).toEqual(expectedPrediction(S1, 50))
        expect(await freshPrediction(root)).toEqual(expectedPrediction(S1, 50))

        // Once there is room again, the same save works.
        expect((await save(server)).status).toBe(200)
        expect((await load(server)).status).toBe(200)
        expect(await predict(server)).toEqual(expectedPrediction(S2, 50))
      })
    }
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
      { what: 'the first model', leave: 256 * 1024, path: '/models/meanop/', newFiles: 0 },
      { what: 'the second model', leave: MODEL + 512 * 1024, path: '/models/maxop/', newFiles: 1 },
    ]) {
      it(`a real full disk while writing ${what}: a 500 naming it, the previous state intact`, async (ctx) => {
        if (!mountPoint) ctx.skip()
        const root = join(mountPoint!, `app-${newFiles}`)
        const server = await openSaved(root, MODEL)
        const meta = await readFile(join(root, '_meta.json'))
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
        expect(await readFile(join(root, '_meta.json'))).toEqual(meta)
        const after = await listing(root)
        expect(after.filter((f) => f.includes('.tmp-'))).toEqual([])
        expect(after.filter((f) => !before.includes(f))).toHaveLength(newFiles)
        expect(await predict(server)).toEqual(expectedPrediction(S1, 50))
        expect((await load(server)).status).toBe(200)
        expect(await predict(server)).toEqual(expectedPrediction(S1, 50))
        expect(await freshPrediction(root)).toEqual(expectedPrediction(S1, 50))

        await emptyFiller()
        expect((await save(server)).status).toBe(200)
        expect((await load(server)).status).toBe(200)
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
    const metaWrite = appears('the metadata temp file appears', '_meta.json.tmp-', ['.'])
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

    it('SIGKILL during saves, 6 times around one completed save: the store still loads, _meta.json parses, no temp file is read as a model', async () => {
      const root = store.root('killed')
      const env = { CHARIOTS_APP_PATH: root, MODEL_PADDING_BYTES: String(PADDING) }
      let confirmed: number[] | null = null
      let killedMidWrite = 0
      // The first save ever is killed; then one save completes; then saves are killed at each stage.
      const rounds: (Trigger | 'complete')[] = [
        tmpIn('meanop'),
        'complete',
        tmpIn('maxop'),
        metaWrite,
        tmpIn('meanop'),
        after(40),
        after(150),
      ]

      for (const [i, trigger] of rounds.entries()) {
        const xs = [i, i * 3, i * 7 + 1, 100 + i]
        const before = existsSync(root) ? await listing(root) : []
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

        // What a kill leaves: maybe temp files, maybe a lock, maybe models no metadata links yet.
        const files = await listing(root)
        if (files.some((f) => f.includes('.tmp-') && !before.includes(f))) killedMidWrite++
        const state = await storeState(root)
        // `_meta.json`, when there, parses; every version it links has a complete model file.
        for (const linked of state.linkedModels) {
          expect(linked).not.toContain('.tmp-')
          expect(files).toContain(linked)
        }

        const got = await freshPrediction(root)
        if (trigger === 'complete') {
          expect(got).toEqual(expectedPrediction(xs, 50))
          confirmed = xs
          continue
        }
        if (confirmed === null && !state.hasMeta) {
          // Killed before the first save ever finished: reported as not loaded, cleanly.
          expect(got).toEqual({ error: { code: 'PIPELINE_NOT_LOADED', message: NOT_TRAINED } })
          continue
        }
        const candidates = [
          expectedPrediction(xs, 50),
          ...(confirmed ? [expectedPrediction(confirmed, 50)] : []),
        ]
        expect(candidates).toContainEqual(got)
        if (JSON.stringify(got) === JSON.stringify(expectedPrediction(xs, 50))) confirmed = xs
      }

      // The kills landed inside writes (a temp file left behind), not only between saves.
      expect(killedMidWrite).toBeGreaterThanOrEqual(2)

      // A new server on the same store saves at once (any lock a killed server held is broken)
      // and a fresh app loads exactly what it saved.
      const served = await serveChild(KILL_APP, env)
      try {
        const xs = [2, 4, 6, 8]
        await fetch(`${served.url}/pipelines/train/main`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ pipeline_input: xs }),
        })
        const started = Date.now()
        const saved = await fetch(`${served.url}/pipelines/train/save`, SAVE)
        expect(saved.status).toBe(200)
        expect(Date.now() - started).toBeLessThan(15_000)
        expect(await freshPrediction(root)).toEqual(expectedPrediction(xs, 50))
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

/** The store's metadata, parsed (it must parse), and the model files it links. */
async function storeState(root: string): Promise<{ hasMeta: boolean; linkedModels: string[] }> {
  const path = join(root, '_meta.json')
  if (!existsSync(path)) return { hasMeta: false, linkedModels: [] }
  const meta = JSON.parse(await readFile(path, 'utf8')) as Record<string, Record<string, string[]>>
  const linked = new Set<string>()
  for (const ups of Object.values(meta)) {
    for (const [op, versions] of Object.entries(ups))
      for (const v of versions) linked.add(join('models', op, v))
  }
  return { hasMeta: true, linkedModels: [...linked].sort() }
}
