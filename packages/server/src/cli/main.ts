import { readFileSync } from 'node:fs'
import { ChariotsError } from '@chariots/core'
import { closestName } from './closest-name.js'
import { UsageError } from './usage-error.js'
import {
  CALL_USAGE,
  NEW_USAGE,
  PLAN_USAGE,
  SERVE_USAGE,
  STORE_USAGE,
  VIZ_USAGE,
  WORKER_USAGE,
} from './usages.js'

/** One `chariots <name>` command. */
interface Command {
  usage: string
  summary: string
  run(argv: string[]): Promise<void>
}

/**
 * Every command of the CLI. Each is imported when it runs: `chariots serve` does not load what
 * `chariots new` needs (templates, packing), and the other way round.
 */
const commands: Record<string, Command> = {
  new: {
    usage: NEW_USAGE,
    summary: 'scaffold a project (ops, pipelines, app, a test)',
    run: async (argv) => (await import('./new-command.js')).newCommand(argv),
  },
  serve: {
    usage: SERVE_USAGE,
    summary: 'serve a Chariots app over HTTP',
    run: async (argv) => (await import('./serve-command.js')).serveCommand(argv),
  },
  worker: {
    usage: WORKER_USAGE,
    summary: "run workers for an app's worker pool",
    run: async (argv) => (await import('./worker-command.js')).workerCommand(argv),
  },
  call: {
    usage: CALL_USAGE,
    summary: 'call a pipeline of a running server',
    run: async (argv) => (await import('./call-command.js')).callCommand(argv),
  },
  store: {
    usage: STORE_USAGE,
    summary: 'list or prune the saved states of a store',
    run: async (argv) => (await import('./store-command.js')).storeCommand(argv),
  },
  plan: {
    usage: PLAN_USAGE,
    summary: 'what to retrain so a pipeline loads (and run it)',
    run: async (argv) => (await import('./plan-command.js')).planCommand(argv),
  },
  viz: {
    usage: VIZ_USAGE,
    summary: "draw a pipeline's DAG (mermaid, dot, svg)",
    run: async (argv) => (await import('./viz-command.js')).vizCommand(argv),
  },
}

function help(): string {
  const lines = Object.entries(commands).map(
    ([name, c]) => `  ${name.padEnd(7)} ${c.summary}\n          ${c.usage}`,
  )
  return [
    'usage: chariots <command> [options]',
    '       chariots --version   prints the version of @chariots/server',
    '',
    ...lines,
  ].join('\n')
}

/** The version of @chariots/server, from its package.json (beside dist/). */
function version(): string {
  const manifest = new URL('../../package.json', import.meta.url)
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version
}

/** "; did you mean 'x'?" when one of `names` is close to `name`, else nothing. */
function didYouMean(name: string, names: readonly string[]): string {
  const close = closestName(name, names)
  return close === undefined ? '' : `; did you mean '${close}'?`
}

/** The `--flags` a usage line lists. */
function flagsOf(usage: string): string[] {
  return [...usage.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0])
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help())
    return
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    console.log(version())
    return
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (!command) {
    console.error(
      `chariots: unknown command '${name}'${didYouMean(name, Object.keys(commands))}\n\n${help()}`,
    )
    process.exit(2)
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`usage: ${command.usage}`)
    return
  }
  // `pnpm start -- --port 5001` passes the `--` through; only `call` has a use for it (an input
  // that starts with '-'), so the other commands drop it instead of reading options as positionals.
  const args = name === 'call' ? rest : rest.filter((arg) => arg !== '--')
  try {
    await command.run(args)
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      const unknown = /^Unknown option '(--[^']+)'/.exec((err as Error).message)?.[1]
      const message = unknown
        ? `unknown option '${unknown}'${didYouMean(unknown, flagsOf(command.usage))}`
        : (err as Error).message
      console.error(`chariots ${name}: ${message}\nusage: ${command.usage}`)
      process.exit(2)
    }
    // A ChariotsError names the problem and the fix: its message is enough, the stack is noise.
    if (err instanceof ChariotsError) {
      console.error(`chariots ${name}: ${err.message}`)
      process.exit(1)
    }
    console.error(`chariots ${name}: ${(err as Error).stack ?? String(err)}`)
    process.exit(1)
  }
}

await main(process.argv.slice(2))
