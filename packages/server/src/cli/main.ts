import { SERVE_USAGE, serveCommand } from './serve-command.js'
import { UsageError } from './usage-error.js'
import { WORKER_USAGE, workerCommand } from './worker-command.js'

/** One `chariots <name>` command. */
interface Command {
  usage: string
  summary: string
  run(argv: string[]): Promise<void>
}

/** Every command of the CLI; `new` and `call` join this table. */
const commands: Record<string, Command> = {
  serve: { usage: SERVE_USAGE, summary: 'serve a Chariots app over HTTP', run: serveCommand },
  worker: { usage: WORKER_USAGE, summary: "run workers for an app's worker pool", run: workerCommand },
}

function help(): string {
  const lines = Object.values(commands).map((c) => `  ${c.usage.padEnd(56)} ${c.summary}`)
  return ['usage: chariots <command> [options]', '', ...lines].join('\n')
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help())
    return
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (!command) {
    console.error(`chariots: unknown command '${name}'\n\n${help()}`)
    process.exit(2)
  }
  try {
    await command.run(rest)
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`chariots ${name}: ${(err as Error).message}\nusage: ${command.usage}`)
      process.exit(2)
    }
    console.error(`chariots ${name}: ${(err as Error).stack ?? String(err)}`)
    process.exit(1)
  }
}

await main(process.argv.slice(2))
