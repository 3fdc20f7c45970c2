// `chariots plan` and `chariots viz` against a served app (child processes, free loopback ports).
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, type Served, startServe } from './helpers/cli-process.js'

const fixture = fileURLToPath(new URL('fixtures/plan-app.ts', import.meta.url))

describe('chariots plan and chariots viz', () => {
  let served: Served
  let dir: string
  const cli = (...args: string[]) => runCli([...args, '--url', served.url], { timeoutMs: 60_000 })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chariots-plan-'))
    served = await startServe(fixture, { env: { CHARIOTS_APP_PATH: dir } })
  }, 60_000)
  afterAll(async () => {
    await served?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('prints the plan, runs it with --run, then says the pipeline is loadable', async () => {
    const plan = await cli('plan', 'predict_on_file')
    expect(plan.code, plan.stderr).toBe(0)
    expect(plan.stdout).toBe(
      [
        'predict_on_file is not loadable',
        '  never trained: mean (trained by train_on_file)',
        'run and save, in order:',
        "  1. write_numbers (writes data): 'train_on_file' reads '/data/numbers.json', which does not exist yet [needs an input]",
        "  2. train_on_file: 'mean' has no saved state yet",
        'then load it; or all at once: chariots plan predict_on_file --run',
        '',
      ].join('\n'),
    )
    const json = JSON.parse((await cli('plan', 'predict_on_file', '--json')).stdout)
    expect(json.retrain).toEqual(['train_on_file'])

    const noInput = await cli('plan', 'predict_on_file', '--run')
    expect(noInput.code).toBe(1)
    expect(noInput.stderr).toContain(
      `read the pipeline input; give each one as {"inputs": {"write_numbers": …}}`,
    )

    const run = await cli('plan', 'predict_on_file', '--run', '--inputs', '{"write_numbers": [2, 4, 6]}')
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout.trim().split('\n').at(-1)).toBe(
      'plan of predict_on_file: done (write_numbers done, train_on_file done)',
    )
    expect((await cli('plan', 'predict_on_file')).stdout.trim()).toBe(
      'predict_on_file is loadable: nothing to retrain',
    )
    expect((await cli('call', 'predict_on_file')).stdout).toContain(
      '"pipeline_output": [\n    -2,\n    0,\n    2\n  ]',
    )
  })

  it('draws the DAG as Mermaid, DOT or SVG, from the server or from the app module', async () => {
    const mermaid = await cli('viz', 'train_on_file')
    expect(mermaid.code, mermaid.stderr).toBe(0)
    expect(mermaid.stdout).toMatch(
      /^flowchart LR\n {2}n0\["numbers<br\/>dataloadingop · [0-9a-f]{8}<br\/>data"\]\n/,
    )
    expect(mermaid.stdout).toContain('  n0 --> n1\n')

    const dot = await cli('viz', 'predict_on_file', '--format', 'dot')
    expect(dot.stdout).toMatch(/^digraph "predict_on_file" \{\n {2}rankdir=LR;/)
    expect(dot.stdout).toContain('"numbers" -> "mean" [color="#2e7d32"')

    const out = join(dir, 'predict.svg')
    expect((await cli('viz', 'predict_on_file', '--format', 'svg', '--out', out)).code).toBe(0)
    const svg = await readFile(out, 'utf8')
    expect(svg).toMatch(
      /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="chariots-graph" data-pipeline="predict_on_file"/,
    )
    expect(svg).toContain('data-node="mean"')

    const fromModule = await runCli(['viz', 'predict_on_file', '--module', fixture, '--format', 'dot'], {
      env: { CHARIOTS_APP_PATH: dir },
      timeoutMs: 60_000,
    })
    expect(fromModule.code, fromModule.stderr).toBe(0)
    // The same picture; only the creation times of the versions (per process) differ.
    const timeless = (text: string) => text.replace(/_\d+(\.\d+)?/g, '')
    expect(timeless(fromModule.stdout)).toBe(timeless(dot.stdout))
  })

  it('exits 2 on a format it does not draw, and 1 naming the pipeline it does not know', async () => {
    const bad = await cli('viz', 'predict_on_file', '--format', 'png')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("--format must be mermaid, dot or svg, got 'png'")
    const unknown = await cli('plan', 'nope')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/^chariots plan: PIPELINE_NOT_FOUND: pipeline 'nope' is not served here/)
  })
})
