import { parseArgs } from 'node:util'
import { FileSaver, OpStore, type StateStore } from '@chariots/core'
import { loadApp } from './load-app.js'
import { UsageError } from './usage-error.js'

/**
 * `chariots store ls` lists the saved states of each node (save order, version, lineage, who saved
 * them); `chariots store prune` keeps the newest `--keep` states per node (default 10; states a kept
 * state's lineage names stay) and deletes the rest. The store is the app module's (its `store`, also
 * a PostgreSQL one), or the folder store at `--path`. Pruning takes the store's lock, so it is safe
 * while servers and workers run.
 *
 * @example
 * ```sh
 * chariots store ls app.ts pca
 * chariots store prune --path ./.chariots-data --keep 3
 * ```
 */
export async function storeCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { path: { type: 'string' }, keep: { type: 'string' } },
  })
  const [action, ...rest] = positionals
  if (action !== 'ls' && action !== 'prune') throw new UsageError("expected 'ls' or 'prune'")
  const fromPath = values.path !== undefined
  const [modulePath, node] = fromPath ? [undefined, rest[0]] : [rest[0], rest[1]]
  if (!fromPath && !modulePath) throw new UsageError('expected an app module or --path <folder>')
  const store = await openStore(modulePath, values.path)
  try {
    if (action === 'ls') await list(store, node)
    else await prune(store, values.keep)
  } finally {
    await store.close?.()
  }
}

async function openStore(modulePath: string | undefined, folder: string | undefined): Promise<StateStore> {
  if (folder !== undefined) return new OpStore(new FileSaver(folder), { retention: false })
  process.env.CHARIOTS_AUTOLOAD = '0' // the command reads the store; the app need not load its pipelines
  const { app } = await loadApp(modulePath!)
  return app.store
}

async function list(store: StateStore, only: string | undefined): Promise<void> {
  const nodes = only ? [only] : [...(await store.listNodes())].sort()
  if (nodes.length === 0) console.log(`no saved states in ${store.location}`)
  for (const node of nodes) {
    const states = await store.listStates(node)
    console.log(`${node}: ${states.length} state(s)`)
    for (const s of states) {
      const lineage = Object.entries(s.lineage)
        .map(([up, v]) => `${up}@${v.slice(0, 8)}`)
        .join(' ')
      console.log(
        `  #${s.seq} ${s.version.slice(0, 8)} ${s.savedAt}${s.savedBy ? ` by ${s.savedBy}` : ''}${lineage ? ` trained on ${lineage}` : ''}`,
      )
    }
  }
}

async function prune(store: StateStore, keepText: string | undefined): Promise<void> {
  const keep = keepText === undefined ? 10 : Number(keepText)
  if (!Number.isInteger(keep) || keep < 1)
    throw new UsageError('--keep takes a whole number of states per node, 1 or more')
  const { removed, kept } = await store.prune({ keep })
  const names = Object.keys(removed)
  if (names.length === 0)
    console.log(`nothing to prune in ${store.location} (at most ${keep} state(s) per node)`)
  for (const node of names) console.log(`${node}: removed ${removed[node]}, kept ${kept[node]}`)
}
