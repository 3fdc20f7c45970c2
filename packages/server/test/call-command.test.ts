// `chariots call` against a served app (child processes, free loopback ports).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, runCli, type Served, startServe } from './helpers/cli-process.js'

const fixture = fileURLToPath(new URL('fixtures/cli-worker-app.ts', import.meta.url))

describe('chariots call', () => {
  let served: Served
  let dir: string
  const call = (...args: string[]) => runCli(['call', ...args, '--url', served.url])

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chariots-call-'))
    served = await startServe(fixture, { env: { CHARIOTS_APP_PATH: dir } })
  }, 60_000)

  afterAll(async () => {
    await served?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('prints the response as JSON with the wire field names', async () => {
    const r = await call('is_odd', '4')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('"pipeline_output": false')
    expect(JSON.parse(r.stdout)).toMatchObject({ pipeline_output: false, job_id: null, job_status: 'done' })
    expect(JSON.parse(r.stdout).versions.isoddop).toMatch(/^[0-9a-f]{40}\.[0-9a-f]{40}\.[0-9a-f]{40}_\d/)
  })

  it('takes a negative number as the input, not as an option', async () => {
    const r = await call('is_odd', '-3')
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).pipeline_output).toBe(true)
  })

  it('prints CODE: message and exits 1 on a server error', async () => {
    const r = await call('nope')
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^PIPELINE_NOT_FOUND: pipeline 'nope' is not served here/)
    expect(r.stderr).not.toContain('did you mean')
  })

  it('suggests the closest served pipeline for a mistyped name', async () => {
    const r = await call('is_od', '3')
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(
      "PIPELINE_NOT_FOUND: pipeline 'is_od' is not served here; available pipelines: is_odd, steps, fail; did you mean 'is_odd'? (chariots call is_odd …)",
    )
  })

  it('exits 2 with the usage when the input is not JSON or arguments are missing', async () => {
    const bad = await call('is_odd', '{four')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/the input "\{four" is not JSON/)
    expect(bad.stderr).toMatch(/usage: chariots call <pipeline>/)
    expect((await runCli(['call'])).code).toBe(2)
    expect((await call('is_odd', '--timeout-ms', 'soon')).code).toBe(2)
    const badUrl = await runCli(['call', 'is_odd', '3', '--url', '127.0.0.1:5000'])
    expect(badUrl.code).toBe(2)
    expect(badUrl.stderr).toContain('--url must be an http(s) URL')
  })

  it('exits 1 naming the URL when no server answers there', async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    const r = await runCli(['call', 'is_odd', '3', '--url', url])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`UNREACHABLE: cannot reach ${url}`)
  })

  it('--worker without --wait answers the queued job', async () => {
    const r = await call('is_odd', '5', '--worker')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ pipeline_output: null, job_status: 'queued' })
  })

  it('--worker --wait follows the job with status lines, then prints the final response', async () => {
    const r = await call('is_odd', '5', '--worker', '--wait')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ pipeline_output: true, job_status: 'done', error: null })
    expect(r.stderr).toMatch(new RegExp(`^job ${out.job_id.slice(0, 8)} (queued|running|done)`))
    expect(r.stderr.trim().split('\n').at(-1)).toBe(`job ${out.job_id.slice(0, 8)} done`)
  })

  it('--wait follows the job on one event stream, GET /jobs/:id/events, with no polling', async () => {
    const r = await call('steps', '12', '--worker', '--wait')
    expect(r.code, r.stderr).toBe(0)
    const { job_id } = JSON.parse(r.stdout)
    const requests = served
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === 'request')
    // The job ran 1.8 s: one stream followed it (the long-poll fallback was not needed, no fetch polls).
    expect(requests.filter((l) => l.path === `/jobs/${job_id}/events`)).toHaveLength(1)
    expect(
      requests.filter((l) => l.path === `/jobs/${job_id}/wait` || l.path.startsWith('/jobs/fetch')),
    ).toEqual([])
  })

  it('--wait falls back to the long-poll on a server without the event stream', async () => {
    const old = await startServe(fileURLToPath(new URL('fixtures/no-events-app.ts', import.meta.url)), {
      env: { CHARIOTS_APP_PATH: dir },
    })
    try {
      const r = await runCli(['call', 'steps', '6', '--worker', '--wait', '--url', old.url])
      expect(r.code, r.stderr).toBe(0)
      expect(JSON.parse(r.stdout)).toMatchObject({ pipeline_output: 'took 6 steps', job_status: 'done' })
      const paths = old
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
        .filter((l) => l.msg === 'request')
        .map((l) => l.path as string)
      expect(paths.some((p) => p.endsWith('/events'))).toBe(true)
      expect(paths.filter((p) => p.endsWith('/wait'))).toHaveLength(1)
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(/done \[#{24}\] 100%$/)
    } finally {
      await old.stop()
    }
  }, 60_000)

  it('--wait draws the progress an op reports as a bar (plain lines off a terminal)', async () => {
    const r = await call('steps', '12', '--worker', '--wait')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ pipeline_output: 'took 12 steps', progress: 1 })
    const lines = r.stderr.trim().split('\n')
    expect(lines.some((l) => /running \[#+-+\] +\d+%$/.test(l))).toBe(true)
    expect(lines.at(-1)).toMatch(/done \[#{24}\] 100%$/)
    expect(r.stderr).not.toContain('\r') // not a TTY: no redrawing
  })

  it('--wait on a job that fails prints it and exits 1 with its code', async () => {
    const r = await call('fail', '--worker', '--wait')
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout)).toMatchObject({ job_status: 'failed', error: { code: 'OP_FAILED' } })
    expect(r.stderr).toContain('OP_FAILED: this op always fails')
  })

  it('--timeout-ms ends the wait with the latest state and exit 1', async () => {
    const r = await call('steps', '20', '--worker', '--wait', '--timeout-ms', '400')
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1)
    expect(['queued', 'running']).toContain(JSON.parse(r.stdout).job_status)
    expect(r.stderr).toMatch(/TIMEOUT: job [0-9a-f-]+ is still (queued|running) after 400 ms/)
  })
})
