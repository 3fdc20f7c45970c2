import { BaseOp, ChariotsError, Node, Pipeline, ReservedNodes, VersionError } from '@chariots/core'
import { FailingOp, failingPipeline, isOddPipeline } from '@chariots/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Chariots, type ChariotsOptions } from '../src/index.js'
import { predict } from './helpers/ml-pipelines.js'
import { type JsonResponse, type Opened, postJson, tempDir, transports } from './helpers/transports.js'

const { pipelineInput: IN, pipelineOutput: OUT } = ReservedNodes
const TOKEN = 'a-secret-token-of-some-length'

class RejectLaterOp extends BaseOp {
  static override opName = 'rejectlaterop'
  async execute() {
    await new Promise((r) => setTimeout(r, 5))
    throw new TypeError('rejected after a tick')
  }
}

const pipelines = () => [
  isOddPipeline(),
  failingPipeline(),
  predict(),
  new Pipeline([new Node(new RejectLaterOp(), { outputNodes: OUT })], 'reject_later'),
  new Pipeline([new Node(new PassOp(), { inputNodes: [IN], outputNodes: OUT })], 'typed', {
    input: z.object({ rows: z.array(z.object({ x: z.number() })) }),
  }),
  new Pipeline([new Node(new DetailedOp(), { outputNodes: OUT })], 'detailed'),
  new Pipeline([new Node(new UndetailedOp(), { outputNodes: OUT })], 'undetailed'),
]

/** Throws what a failed load throws, with its details. */
class DetailedOp extends BaseOp {
  static override opName = 'detailedop'
  execute() {
    throw new VersionError("node 'logistic' was trained on another 'pca'; retrain it", {
      details: { downstream: 'logistic', upstream: 'pca', trainedWith: ['v1'], current: 'v2' },
    })
  }
}

class UndetailedOp extends BaseOp {
  static override opName = 'undetailedop'
  execute() {
    throw new ChariotsError('INVALID_INPUT', 'a bigint in the details', { details: { n: 1n } })
  }
}

class PassOp extends BaseOp {
  static override opName = 'passop'
  execute(x: unknown) {
    return x
  }
}

describe.each(transports)('errors through $name', (transport) => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  const opened: Opened[] = []
  const open = async (options: ChariotsOptions = {}) => {
    const o = await transport.open(new Chariots(pipelines(), { path: dir.path, ...options }))
    opened.push(o)
    return o
  }
  const expectError = async (res: JsonResponse, status: number, error: Record<string, unknown>) => {
    expect(res.status).toBe(status)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({ error })
  }

  beforeEach(async () => {
    dir = await tempDir()
  })
  afterEach(async () => {
    for (const o of opened.splice(0)) await o.close()
    await dir.remove()
  })

  it('404 for an unknown pipeline, on every pipeline route', async () => {
    const { raw } = await open()
    const error = {
      code: 'PIPELINE_NOT_FOUND',
      message:
        "pipeline 'nope' is not served here; available pipelines: is_odd, failing, predict, reject_later, typed, detailed, undetailed",
      details: {
        pipeline: 'nope',
        available: ['is_odd', 'failing', 'predict', 'reject_later', 'typed', 'detailed', 'undetailed'],
      },
    }
    await expectError(await raw('/pipelines/nope/main', postJson({ pipeline_input: 1 })), 404, error)
    for (const route of ['save', 'load', 'versions']) {
      await expectError(await raw(`/pipelines/nope/${route}`, postJson(null)), 404, error)
    }
    await expectError(await raw('/pipelines/nope/health_check'), 404, error)
    await expectError(await raw('/pipelines/__proto__/main', postJson({})), 404, {
      code: 'PIPELINE_NOT_FOUND',
      message: expect.stringContaining("'__proto__'"),
      details: expect.objectContaining({ pipeline: '__proto__' }),
    })
  })

  it('404 NOT_FOUND for an unknown route', async () => {
    const { raw } = await open()
    await expectError(await raw('/nowhere'), 404, {
      code: 'NOT_FOUND',
      message: 'no route GET /nowhere; see GET /openapi.json',
    })
  })

  it('400 INVALID_JSON for a body that does not parse', async () => {
    const { raw } = await open()
    await expectError(await raw('/pipelines/is_odd/main', postJson('{"pipeline_input": 4,')), 400, {
      code: 'INVALID_JSON',
      message: expect.stringMatching(/^the request body is not valid JSON: /),
    })
  })

  it('415 UNSUPPORTED_MEDIA_TYPE naming a content type that is not JSON, or a charset that is not UTF-8', async () => {
    const { raw } = await open()
    await expectError(
      await raw('/pipelines/is_odd/main', postJson('{"pipeline_input": 4}', 'text/plain')),
      415,
      {
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message:
          "content type 'text/plain' is not supported; send the body as JSON in UTF-8 with Content-Type: application/json",
      },
    )
    // UTF-16 bytes of {"pipeline_input": 4}: refused by their charset, not read as mojibake.
    const utf16 = Buffer.from('{"pipeline_input": 4}', 'utf16le')
    await expectError(
      await raw('/pipelines/is_odd/main', {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-16' },
        body: utf16,
      }),
      415,
      {
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message:
          "charset 'utf-16' is not supported: JSON bodies must be UTF-8; send the body as JSON in UTF-8 with Content-Type: application/json",
      },
    )
    for (const type of ['application/json; charset=utf-8', 'application/json; Charset="UTF-8"']) {
      const ok = await raw('/pipelines/is_odd/main', postJson('{"pipeline_input": 4}', type))
      expect(ok.status).toBe(200)
    }
  })

  it('save, load and versions refuse a body-less POST without a JSON content type (a blind cross-site POST) with 415', async () => {
    const { raw } = await open()
    const refused = {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message:
        'the request has no content type; send the body as JSON in UTF-8 with Content-Type: application/json (a body of null is fine), or send the header X-Chariots: 1 with an empty body',
    }
    for (const route of ['save', 'load', 'versions']) {
      await expectError(await raw(`/pipelines/is_odd/${route}`, { method: 'POST' }), 415, refused)
      // What `fetch(url, { method: 'POST', mode: 'no-cors', body: 'null' })` sends from another site.
      await expectError(
        await raw(`/pipelines/is_odd/${route}`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain;charset=UTF-8' },
          body: 'null',
        }),
        415,
        {
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message:
            "content type 'text/plain;charset=UTF-8' is not supported; send the body as JSON in UTF-8 with Content-Type: application/json",
        },
      )
    }
    // The Python client's request (JSON, body null), an empty JSON body, or the custom header.
    const inits: RequestInit[] = [
      postJson(null),
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      { method: 'POST', headers: { 'x-chariots': '1' } },
      { method: 'POST', headers: { 'x-chariots': '1' }, body: new TextEncoder().encode('null') },
    ]
    for (const init of inits) {
      const res = await raw('/pipelines/is_odd/versions', init)
      expect(res.status).toBe(200)
      expect(Object.keys(await res.json())).toEqual(['isoddop'])
    }
    await expectError(
      await raw('/pipelines/is_odd/main', {
        method: 'POST',
        headers: { 'x-chariots': '1' },
        body: new TextEncoder().encode('{}'),
      }),
      415,
      {
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message:
          'the request has no content type; send the body as JSON in UTF-8 with Content-Type: application/json',
      },
    )
  })

  it('405 METHOD_NOT_ALLOWED with an Allow header for a wrong method on an existing route', async () => {
    const { raw } = await open()
    const res = await raw('/pipelines/is_odd/main')
    expect(res.headers.get('allow')).toBe('POST')
    await expectError(res, 405, {
      code: 'METHOD_NOT_ALLOWED',
      message: 'method GET is not allowed on /pipelines/is_odd/main; use POST (see GET /openapi.json)',
    })
    const patch = await raw('/health_check', { method: 'PATCH' })
    expect(patch.headers.get('allow')).toBe('GET, HEAD')
    await expectError(patch, 405, {
      code: 'METHOD_NOT_ALLOWED',
      message: 'method PATCH is not allowed on /health_check; use GET (see GET /openapi.json)',
    })
    const head = await raw('/pipelines/is_odd/save', { method: 'HEAD' })
    expect({ status: head.status, allow: head.headers.get('allow'), body: await head.text() }).toEqual({
      status: 405,
      allow: 'POST',
      body: '',
    })
    // Both spellings of the fetch route, and an unknown route is still a 404.
    expect((await raw('/jobs/fetch', { method: 'GET' })).headers.get('allow')).toBe('POST')
    expect((await raw('/pipelines/is_odd/nowhere')).status).toBe(404)
  })

  it('the body limit of /main is 1 MB by default, set per pipeline; other routes keep the app limit', async () => {
    const roomy = new Pipeline([new Node(new PassOp(), { inputNodes: [IN], outputNodes: OUT })], 'roomy', {
      bodyLimit: 3 * 1024 * 1024,
    })
    const app = new Chariots([isOddPipeline(), roomy], { path: dir.path })
    const served = await transport.open(app)
    opened.push(served)
    const { raw } = served
    const twoMb = JSON.stringify({ pipeline_input: 'x'.repeat(2 * 1024 * 1024) })
    await expectError(await raw('/pipelines/is_odd/main', postJson(twoMb)), 413, {
      code: 'BODY_TOO_LARGE',
      message: expect.stringMatching(/^the request body is larger than the limit of 1048576 bytes; /),
    })
    const ok = await raw('/pipelines/roomy/main', postJson(twoMb))
    expect(ok.status).toBe(200)
    expect((await ok.json()).pipeline_output).toHaveLength(2 * 1024 * 1024)
    // /jobs/fetch/ keeps the app's 10 MB: a 2 MB body gets past the limit to the body check.
    const fetchBody = JSON.stringify({ job_id: 'x'.repeat(2 * 1024 * 1024) })
    expect((await raw('/jobs/fetch/', postJson(fetchBody))).status).toBe(400)
    // An app-wide pipelineBodyLimit raises the default of every pipeline.
    const { raw: raised } = await open({ pipelineBodyLimit: 4 * 1024 * 1024 })
    expect((await raised('/pipelines/typed/main', postJson(twoMb))).status).toBe(400) // schema, not size
  })

  it('refuses a body limit that is not a whole number of bytes when the app is built', () => {
    const bad = new Pipeline([new Node(new PassOp(), { inputNodes: [IN], outputNodes: OUT })], 'bad', {
      bodyLimit: -1,
    })
    expect(() => new Chariots([bad], { path: dir.path })).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: "the bodyLimit of pipeline 'bad' must be a whole number of bytes above 0, got -1",
      }),
    )
    expect(() => new Chariots([], { path: dir.path, pipelineBodyLimit: 0.5 })).toThrow(
      /the pipelineBodyLimit option of new Chariots must be a whole number of bytes above 0, got 0.5/,
    )
  })

  it('400 INVALID_BODY for a body of the wrong shape, naming the field', async () => {
    const { raw } = await open()
    await expectError(
      await raw('/pipelines/is_odd/main', postJson({ pipeline_input: 1, use_worker: 'yes' })),
      400,
      {
        code: 'INVALID_BODY',
        message:
          "the request body is not valid: field 'use_worker': Invalid input: expected boolean, received string",
      },
    )
    await expectError(await raw('/pipelines/is_odd/save', postJson([1, 2])), 400, {
      code: 'INVALID_BODY',
      message: expect.stringMatching(/^the request body is not valid: body: /),
    })
  })

  it('400 INVALID_INPUT naming the path of the bad field of a pipeline input', async () => {
    const { raw } = await open()
    await expectError(
      await raw('/pipelines/typed/main', postJson({ pipeline_input: { rows: [{ x: 1 }, { x: 'a' }] } })),
      400,
      {
        code: 'INVALID_INPUT',
        message:
          "pipeline 'typed' input does not match its schema: [rows][1][x]: Invalid input: expected number, received string",
        details: {
          issues: [{ path: ['rows', '1', 'x'], message: 'Invalid input: expected number, received string' }],
        },
      },
    )
  })

  it("sends an error's details in its body, and the client puts them on the error it rebuilds", async () => {
    const { raw, client } = await open()
    const error = {
      code: 'VERSION_INCOMPATIBLE',
      message: "node 'logistic' was trained on another 'pca'; retrain it",
      details: {
        downstream: 'logistic',
        upstream: 'pca',
        trainedWith: ['v1'],
        current: 'v2',
        // Every 419 carries the retrain plan of its pipeline (here: nothing to retrain).
        plan: expect.objectContaining({ pipeline: 'detailed', loadable: true, retrain: [] }),
      },
    }
    await expectError(await raw('/pipelines/detailed/main', postJson({ pipeline_input: null })), 419, error)
    const rebuilt = await client.callPipeline('detailed').catch((e: unknown) => e)
    expect(rebuilt).toBeInstanceOf(VersionError)
    expect(rebuilt).toMatchObject({ code: error.code, message: error.message })
    expect((rebuilt as VersionError).details).toEqual({ ...error.details, status: 419 })
  })

  it('leaves out details JSON cannot write, and still answers the code and message', async () => {
    const { raw } = await open()
    await expectError(await raw('/pipelines/undetailed/main', postJson({ pipeline_input: null })), 400, {
      code: 'INVALID_INPUT',
      message: 'a bigint in the details',
    })
  })

  it('413 BODY_TOO_LARGE over the body limit, naming how to raise it', async () => {
    const { raw } = await open({ bodyLimit: 1024 })
    const big = JSON.stringify({ pipeline_input: 'x'.repeat(2000) })
    await expectError(await raw('/pipelines/is_odd/main', postJson(big)), 413, {
      code: 'BODY_TOO_LARGE',
      message:
        "the request body is larger than the limit of 1024 bytes; send a smaller input, or raise the limit of pipeline 'is_odd': new Pipeline(nodes, 'is_odd', { bodyLimit }), or new Chariots(pipelines, { pipelineBodyLimit })",
    })
    await expectError(
      await raw('/jobs/fetch/', postJson(JSON.stringify({ job_id: 'x'.repeat(2000) }))),
      413,
      {
        code: 'BODY_TOO_LARGE',
        message:
          "the request body is larger than the limit of 1024 bytes; send less, or raise the app's limit: new Chariots(pipelines, { bodyLimit })",
      },
    )
    expect((await raw('/pipelines/is_odd/main', postJson({ pipeline_input: 3 }))).status).toBe(200)
  })

  it('419 PIPELINE_NOT_LOADED for a pipeline whose models were never trained', async () => {
    const { raw } = await open()
    const reason = {
      code: 'PIPELINE_NOT_LOADED',
      message: expect.stringContaining("node 'upstreamop' has no saved state yet"),
      details: {
        pipeline: 'predict',
        // The plan of its pipeline: this app has no pipeline that trains them.
        plan: expect.objectContaining({
          pipeline: 'predict',
          loadable: false,
          missing: [
            { node: 'upstreamop', trainers: [] },
            { node: 'downstreamop', trainers: [] },
          ],
          unplannable: [
            expect.objectContaining({ node: 'upstreamop' }),
            expect.objectContaining({ node: 'downstreamop' }),
          ],
        }),
      },
    }
    await expectError(await raw('/pipelines/predict/health_check'), 419, reason)
    await expectError(await raw('/pipelines/predict/main', postJson({ pipeline_input: [1] })), 419, reason)
  })

  it('500 OP_FAILED with the op message and no stack; the stack only in debug mode', async () => {
    const { raw } = await open()
    await expectError(await raw('/pipelines/failing/main', postJson({ pipeline_input: null })), 500, {
      code: 'OP_FAILED',
      message: FailingOp.message,
    })
    await expectError(await raw('/pipelines/reject_later/main', postJson({})), 500, {
      code: 'OP_FAILED',
      message: 'rejected after a tick',
    })
    const debug = await open({ debug: true })
    const res = await debug.raw('/pipelines/failing/main', postJson({}))
    expect(res.status).toBe(500)
    const body = await res.json()
    expect(body.error).toMatchObject({ code: 'OP_FAILED', message: FailingOp.message })
    expect(body.error.stack).toContain(FailingOp.message)
    expect(body.error.stack).toMatch(/example-ops/)
    // the server still answers after failures
    expect((await raw('/pipelines/is_odd/main', postJson({ pipeline_input: 1 }))).status).toBe(200)
  })

  it('401 UNAUTHORIZED without the bearer token; health checks public with publicHealth', async () => {
    const { raw } = await open({ auth: { token: TOKEN } })
    const unauthorized = {
      code: 'UNAUTHORIZED',
      message: 'missing or wrong bearer token; send Authorization: Bearer <token>',
    }
    const res = await raw('/pipelines/is_odd/main', postJson({ pipeline_input: 1 }))
    expect(res.headers.get('www-authenticate')).toBe('Bearer')
    await expectError(res, 401, unauthorized)
    const wrong = {
      ...postJson({ pipeline_input: 1 }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${'x'.repeat(TOKEN.length)}` },
    }
    await expectError(await raw('/pipelines/is_odd/main', wrong), 401, unauthorized)
    await expectError(await raw('/health_check'), 401, unauthorized)
    const right = {
      ...postJson({ pipeline_input: 1 }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    }
    expect((await raw('/pipelines/is_odd/main', right)).status).toBe(200)

    const pub = await open({ auth: { token: TOKEN, publicHealth: true } })
    expect((await pub.raw('/health_check')).status).toBe(200)
    expect((await pub.raw('/pipelines/is_odd/health_check')).status).toBe(200)
    await expectError(await pub.raw('/available_pipelines'), 401, unauthorized)
    // HEAD follows GET: public where GET is, 401 where GET is.
    expect((await pub.raw('/health_check', { method: 'HEAD' })).status).toBe(200)
    expect((await pub.raw('/pipelines/is_odd/health_check', { method: 'HEAD' })).status).toBe(200)
    expect((await pub.raw('/available_pipelines', { method: 'HEAD' })).status).toBe(401)
    expect((await raw('/health_check', { method: 'HEAD' })).status).toBe(401)
  })

  it('the client rebuilds errors with their codes and sends its token', async () => {
    const { client } = await open({ auth: { token: TOKEN } })
    await expect(client.callPipeline('is_odd', 1)).rejects.toMatchObject({
      name: 'ChariotsError',
      code: 'UNAUTHORIZED',
    })
    const authed = await transport.open(
      new Chariots(pipelines(), { path: dir.path, auth: { token: TOKEN } }),
      { token: TOKEN },
    )
    opened.push(authed)
    expect((await authed.client.callPipeline('is_odd', 1)).value).toBe(true)
    await expect(authed.client.callPipeline('nope', 1)).rejects.toMatchObject({ code: 'PIPELINE_NOT_FOUND' })
    await expect(authed.client.callPipeline('failing')).rejects.toMatchObject({
      code: 'OP_FAILED',
      message: FailingOp.message,
    })
  })

  it('keeps __proto__ and constructor keys from polluting anything', async () => {
    const { raw } = await open()
    const body =
      '{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}}, "pipeline_input": {"rows": [{"x": 1, "__proto__": {"polluted": 3}}]}}'
    const res = await raw('/pipelines/typed/main', postJson(body))
    expect(res.status).toBe(200)
    expect((await res.json()).pipeline_output).toEqual({ rows: [{ x: 1 }] })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
    const escaped = await raw(
      '/pipelines/is_odd/main',
      postJson('{"\\u005f_proto__": {"polluted": 4}, "pipeline_input": 3}'),
    )
    expect(await escaped.json()).toMatchObject({ pipeline_output: true })
    expect(Object.prototype).not.toHaveProperty('polluted')
  })

  it('answers CORS only when asked', async () => {
    const plain = await open()
    const preflight = {
      method: 'OPTIONS',
      headers: { origin: 'http://example.com', 'access-control-request-method': 'POST' },
    }
    expect(
      (await plain.raw('/pipelines/is_odd/main', preflight)).headers.get('access-control-allow-origin'),
    ).toBeNull()
    const withCors = await open({ cors: { origin: 'http://example.com' } })
    const res = await withCors.raw('/pipelines/is_odd/main', preflight)
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('http://example.com')
  })
})
