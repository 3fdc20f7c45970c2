// What a new user's mistakes at the command line print: one line naming the fix, no stack.
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliResult, freePort, runCli } from './helpers/cli-process.js'

const workerFixture = fileURLToPath(new URL('fixtures/cli-worker-app.ts', import.meta.url))
const appFixture = fileURLToPath(new URL('fixtures/cli-app.ts', import.meta.url))
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

/** Asserts a failure printed exactly one line on stderr, with no stack frame. */
function oneLine(r: CliResult, code: number): string {
  expect(r.code, r.stderr).toBe(code)
  const lines = r.stderr.trim().split('\n')
  expect(lines, r.stderr).toHaveLength(1)
  expect(r.stderr).not.toMatch(/\n\s+at /)
  return lines[0]!
}

describe('chariots CLI start-up', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chariots-startup-'))
    await writeFile(join(dir, 'syntax.ts'), 'export const app = {\n  fetch: () => 1,\n  oops(\n}\n')
    await writeFile(join(dir, 'syntax.js'), 'export const app = {\n  oops(\n}\n')
    await writeFile(join(dir, 'no-app.ts'), 'export const notAnApp = 1\n')
    await writeFile(join(dir, 'missing-dep.ts'), "import 'no-such-package-of-chariots'\nexport default 1\n")
    await writeFile(join(dir, 'throws.ts'), "throw new Error('the app could not reach its database')\n")
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('--version prints the version of @chariots/server', async () => {
    for (const flag of ['--version', '-v']) {
      const r = await runCli([flag])
      expect(r.code).toBe(0)
      expect(r.stdout).toBe(`${version}\n`)
    }
  })

  it('suggests the command a mistyped one was meant to be', async () => {
    const r = await runCli(['serv', 'app.ts'])
    expect(r.code).toBe(2)
    expect(r.stderr.split('\n')[0]).toBe("chariots: unknown command 'serv'; did you mean 'serve'?")
    const far = await runCli(['deploy'])
    expect(far.stderr.split('\n')[0]).toBe("chariots: unknown command 'deploy'")
  })

  it('suggests the option a mistyped one was meant to be', async () => {
    const r = await runCli(['serve', appFixture, '--prot', '5001'])
    expect(r.code).toBe(2)
    expect(r.stderr.split('\n')[0]).toBe("chariots serve: unknown option '--prot'; did you mean '--port'?")
    expect(r.stderr).toContain('usage: chariots serve <module>')
  })

  it.each([
    [
      'a module that does not exist',
      'nowhere/app.ts',
      /^chariots serve: app module 'nowhere\/app\.ts' does not exist \(looked at \/.+\/nowhere\/app\.ts\); give the path of the file that exports your Chariots app, e.g\. app\.ts$/,
    ],
    [
      'a TypeScript syntax error',
      'syntax.ts',
      /^chariots serve: app module '.+syntax\.ts' could not be loaded: \/.+\/syntax\.ts:4:0: Expected identifier but found "\}"$/,
    ],
    [
      'a JavaScript syntax error',
      'syntax.js',
      /^chariots serve: app module '.+syntax\.js' could not be loaded: SyntaxError: Unexpected token/,
    ],
    [
      'a missing package',
      'missing-dep.ts',
      /^chariots serve: app module '.+missing-dep\.ts' could not be loaded: Cannot find (module|package) 'no-such-package-of-chariots'; install the package it names, or fix the import$/,
    ],
    [
      'an error while the module runs',
      'throws.ts',
      /^chariots serve: app module '.+throws\.ts' could not be loaded: Error: the app could not reach its database$/,
    ],
    [
      'no app export',
      'no-app.ts',
      /^chariots serve: app module '.+no-app\.ts' exports no app: export a Chariots app as the default export or as 'app'$/,
    ],
  ])('%s: one line, exit 1', async (_what, file, message) => {
    const module = file.startsWith('nowhere') ? file : join(dir, file)
    const r = await runCli(['serve', module, '--port', String(await freePort())], { cwd: dir })
    expect(oneLine(r, 1)).toMatch(message)
  })

  describe('a port in use', () => {
    let blocker: Server
    let port: number
    beforeAll(async () => {
      port = await freePort()
      blocker = createServer()
      await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve))
    })
    afterAll(async () => {
      await new Promise((resolve) => blocker.close(resolve))
    })

    it('is one line naming the port and --port, exit 1', async () => {
      const r = await runCli(['serve', appFixture, '--port', String(port)])
      expect(oneLine(r, 1)).toBe(
        `chariots serve: port ${port} on 127.0.0.1 is already in use (another chariots serve?); stop that process, or serve on another port with --port ${port + 1}`,
      )
    })
  })

  it('worker refuses an app whose pool runs jobs inside the server, saying how to use Redis', async () => {
    const r = await runCli(['worker', workerFixture])
    const line = oneLine(r, 1)
    expect(line).toMatch(
      /^chariots worker: app module '.+cli-worker-app\.ts' uses an InProcessWorkerPool: its jobs run inside the server process \(chariots serve cli-worker-app\.ts\)/,
    )
    expect(line).toContain('new RQWorkerPool({ connection: process.env.REDIS_URL })')
    expect(line).toContain('REDIS_URL=redis://127.0.0.1:6379')
    expect(r.stdout).not.toContain('worker started')
  })

  it('worker refuses an app with no pool, in one line', async () => {
    const line = oneLine(await runCli(['worker', appFixture]), 1)
    expect(line).toMatch(
      /^chariots worker: app module '.+cli-app\.ts' has no workerPool; pass one to new Chariots\(pipelines, \{ workerPool \}\)$/,
    )
  })
})
