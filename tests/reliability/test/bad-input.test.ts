// Bad input against a real server: every case gets its documented 4xx JSON error (or, where the
// input is odd but valid, its answer), the server keeps answering, nothing outside the app roots
// changes and no prototype is polluted. Case names are the `-t` filters listed in RELIABILITY.md.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  BaseOp,
  DataLoadingNode,
  DataSavingNode,
  JSONSerializer,
  Node,
  Pipeline,
  ReservedNodes,
} from '@chariots/core'
import { Chariots } from '@chariots/server'
import { isOddPipeline } from '@chariots/testing'
import { InProcessWorkerPool } from '@chariots/workers'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { expectJsonError } from './helpers/expect-json-error.js'
import type { RawRequestInit, RawResponse } from './helpers/raw-request.js'
import { startTestServer, type TestServer } from './helpers/start-test-server.js'
import { streamBody } from './helpers/stream-body.js'
import { type TempStore, tempStore } from './helpers/temp-store.js'

const { pipelineInput: IN, pipelineOutput: OUT } = ReservedNodes
const JSON_TYPE = { 'content-type': 'application/json' }
const UNKNOWN_JOB = '0b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed'
const EMOJI = '🚀launch'
const MB = 1024 * 1024

class PassOp extends BaseOp {
  static override opName = 'passop'
  execute(x: unknown) {
    return x
  }
}

const pass = (name: string, options = {}) =>
  new Pipeline([new Node(new PassOp(), { inputNodes: [IN], outputNodes: OUT })], name, options)

/** Data nodes whose paths (from code) climb out of the store root. */
const saveTo = (name: string, path: string) =>
  new Pipeline([new DataSavingNode({ serializer: new JSONSerializer(), path, inputNodes: [IN] })], name)
const loadFrom = (name: string, path: string) =>
  new Pipeline([new DataLoadingNode({ serializer: new JSONSerializer(), path, outputNodes: OUT })], name)

const PIPELINES = ['is_odd', 'echo', 'typed', EMOJI, 'save_outside', 'save_encoded', 'load_outside']
const notServed = (name: string) =>
  `pipeline '${name}' is not served here; available pipelines: ${PIPELINES.join(', ')}`
/** The details of a PIPELINE_NOT_FOUND body: the name asked for (cut at 200), and what is served. */
const notServedDetails = (name: string) => ({ pipeline: name, available: PIPELINES })
const badTimeout = (text: string) => `timeout_ms '${text}' is not valid: expected an integer from 0 to 600000`
const notJson = expect.stringMatching(/^the request body is not valid JSON: \S/)
const tooDeep = 'the request body is not valid JSON: it nests arrays and objects deeper than 1000 levels'
const leaves = (path: string) =>
  `path '${path}' is not allowed: it leaves the store root; use a path relative to the store root without '..'`
const emptyRefused =
  'the request has no content type; send the body as JSON in UTF-8 with Content-Type: application/json (a body of null is fine), or send the header X-Chariots: 1 with an empty body'
const wrongShape = (what: string) =>
  `the request body is not valid: body: Invalid input: expected object, received ${what}`

const post = (path: string, body?: string | Uint8Array, headers: Record<string, string> = JSON_TYPE) => ({
  method: 'POST',
  path,
  headers,
  body,
})
const main = (body: string | Uint8Array, headers?: Record<string, string>) =>
  post('/pipelines/is_odd/main', body, headers)
const nested = (levels: number, inner = '0') => '['.repeat(levels) + inner + ']'.repeat(levels)

/** One row: what is sent (to the plain app, or the one with a worker pool) and the exact answer. */
interface Case {
  name: string
  /** The app with an InProcessWorkerPool (job routes), instead of the one without a pool. */
  pooled?: boolean
  send: RawRequestInit
  status: number
  /** For an error: its code and message (exact text or matcher), and its details when it has any. */
  code?: string
  message?: unknown
  details?: unknown
  /** For a success: the exact JSON body expected (`versions` left out). */
  output?: unknown
}

// biome-ignore format: one case per line reads as the table it is
const cases: Case[] = [
  // Malformed JSON
  { name: 'malformed JSON: truncated object', send: main('{"pipeline_input": 4,'), status: 400, code: 'INVALID_JSON', message: notJson },
  { name: 'malformed JSON: single quotes', send: main("{'pipeline_input': 4}"), status: 400, code: 'INVALID_JSON', message: notJson },
  { name: 'malformed JSON: trailing comma', send: main('{"pipeline_input": 4,}'), status: 400, code: 'INVALID_JSON', message: notJson },
  { name: 'malformed JSON: NaN literal', send: main('{"pipeline_input": NaN}'), status: 400, code: 'INVALID_JSON', message: notJson },
  { name: 'malformed JSON: two documents', send: main('{"pipeline_input": 4} {}'), status: 400, code: 'INVALID_JSON', message: notJson },
  { name: 'malformed JSON: a comment', send: main('{/* hi */ "pipeline_input": 4}'), status: 400, code: 'INVALID_JSON', message: notJson },
  { name: 'malformed JSON: bytes that are not UTF-8', send: main(Buffer.from([0xff, 0xfe, 0x7b, 0x7d])), status: 400, code: 'INVALID_JSON', message: notJson },
  { name: 'malformed JSON: 100k unclosed [', send: main('['.repeat(100_000)), status: 400, code: 'INVALID_JSON', message: notJson },
  { name: 'odd but valid JSON: a UTF-8 byte order mark first is accepted', send: main('\uFEFF{"pipeline_input": 3}'), status: 200, output: true },

  // Content type and body shape
  { name: 'wrong content type: text/plain', send: main('{"pipeline_input": 4}', { 'content-type': 'text/plain' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: "content type 'text/plain' is not supported; send the body as JSON in UTF-8 with Content-Type: application/json" },
  { name: 'wrong content type: urlencoded form', send: main('pipeline_input=4', { 'content-type': 'application/x-www-form-urlencoded' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: "content type 'application/x-www-form-urlencoded' is not supported; send the body as JSON in UTF-8 with Content-Type: application/json" },
  { name: 'wrong content type: multipart form', send: main('--x\r\nContent-Disposition: form-data; name="pipeline_input"\r\n\r\n4\r\n--x--\r\n', { 'content-type': 'multipart/form-data; boundary=x' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: "content type 'multipart/form-data; boundary=x' is not supported; send the body as JSON in UTF-8 with Content-Type: application/json" },
  { name: 'wrong content type: application/jsonp', send: main('{"pipeline_input": 4}', { 'content-type': 'application/jsonp' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: "content type 'application/jsonp' is not supported; send the body as JSON in UTF-8 with Content-Type: application/json" },
  { name: 'missing body on main (no content type)', send: post('/pipelines/is_odd/main', undefined, {}), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'the request has no content type; send the body as JSON in UTF-8 with Content-Type: application/json' },
  { name: 'wrong charset: UTF-16 JSON is refused, not read as mojibake', send: main(Buffer.from('{"pipeline_input": 4}', 'utf16le'), { 'content-type': 'application/json; charset=utf-16' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: "charset 'utf-16' is not supported: JSON bodies must be UTF-8; send the body as JSON in UTF-8 with Content-Type: application/json" },
  { name: 'wrong charset: latin1 in quotes', send: main('{"pipeline_input": 4}', { 'content-type': 'application/json; charset="ISO-8859-1"' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: "charset 'iso-8859-1' is not supported: JSON bodies must be UTF-8; send the body as JSON in UTF-8 with Content-Type: application/json" },
  { name: 'charset UTF-8 in any case is accepted', send: main('{"pipeline_input": 3}', { 'content-type': 'application/json; charset=UTF-8' }), status: 200, output: true },
  { name: 'body-less save with no content type (a blind cross-site POST)', send: post('/pipelines/is_odd/save', undefined, {}), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: emptyRefused },
  { name: 'body-less load with no content type', send: post('/pipelines/is_odd/load', undefined, {}), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: emptyRefused },
  { name: 'body-less versions with no content type', send: post('/pipelines/is_odd/versions', undefined, {}), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: emptyRefused },
  { name: "save sent as text/plain null, as a no-cors page sends it", send: post('/pipelines/is_odd/save', 'null', { 'content-type': 'text/plain;charset=UTF-8' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: "content type 'text/plain;charset=UTF-8' is not supported; send the body as JSON in UTF-8 with Content-Type: application/json" },
  { name: 'empty body with content type JSON on main', send: main(''), status: 400, code: 'INVALID_BODY', message: wrongShape('null') },
  { name: 'body is an array', send: main('[{"pipeline_input": 4}]'), status: 400, code: 'INVALID_BODY', message: wrongShape('array') },
  { name: 'body is a number', send: main('4'), status: 400, code: 'INVALID_BODY', message: wrongShape('number') },
  { name: 'body is a string', send: main('"4"'), status: 400, code: 'INVALID_BODY', message: wrongShape('string') },
  { name: 'save body is an array', send: post('/pipelines/is_odd/save', '[1]'), status: 400, code: 'INVALID_BODY', message: 'the request body is not valid: body: Invalid input' },

  // Unknown things and wrong shapes
  { name: 'unknown pipeline', send: post('/pipelines/nope/main', '{"pipeline_input": 1}'), status: 404, code: 'PIPELINE_NOT_FOUND', message: notServed('nope'), details: notServedDetails('nope') },
  { name: 'unknown job (valid UUID) on /jobs/fetch/', pooled: true, send: post('/jobs/fetch/', JSON.stringify({ job_id: UNKNOWN_JOB })), status: 404, code: 'JOB_NOT_FOUND', message: expect.stringContaining(`'${UNKNOWN_JOB}'`) },
  { name: 'unknown job (valid UUID) on /jobs/:id/wait', pooled: true, send: { path: `/jobs/${UNKNOWN_JOB}/wait?timeout_ms=0` }, status: 404, code: 'JOB_NOT_FOUND', message: expect.stringContaining(`'${UNKNOWN_JOB}'`) },
  { name: 'job id of the wrong shape in the body', pooled: true, send: post('/jobs/fetch', JSON.stringify({ job_id: '../../etc/passwd' })), status: 400, code: 'INVALID_BODY', message: "job id '../../etc/passwd' is not valid: expected a job id as the call answered it (a UUID)" },
  { name: 'job id in upper case', pooled: true, send: post('/jobs/fetch/', JSON.stringify({ job_id: UNKNOWN_JOB.toUpperCase() })), status: 400, code: 'INVALID_BODY', message: `job id '${UNKNOWN_JOB.toUpperCase()}' is not valid: expected a job id as the call answered it (a UUID)` },
  { name: 'job id of the wrong type', pooled: true, send: post('/jobs/fetch/', '{"job_id": 42}'), status: 400, code: 'INVALID_BODY', message: "the request body is not valid: field 'job_id': Invalid input: expected string, received number" },
  { name: 'job id of the wrong shape in the URL', pooled: true, send: { path: '/jobs/..%2F..%2Fetc%2Fpasswd/wait' }, status: 400, code: 'INVALID_PATH', message: "job id '../../etc/passwd' is not valid: expected a job id as the call answered it (a UUID)" },
  { name: 'job routes on an app with no worker pool', send: post('/jobs/fetch/', JSON.stringify({ job_id: UNKNOWN_JOB })), status: 400, code: 'NO_WORKER_POOL', message: 'this app has no workerPool, so it has no jobs; pass one to new Chariots(pipelines, { workerPool })' },
  { name: 'input failing the pipeline schema names the field path', send: post('/pipelines/typed/main', JSON.stringify({ pipeline_input: { rows: [{ x: 1 }, { x: 'a' }] } })), status: 400, code: 'INVALID_INPUT', message: "pipeline 'typed' input does not match its schema: [rows][1][x]: Invalid input: expected number, received string", details: { issues: [{ path: ['rows', '1', 'x'], message: 'Invalid input: expected number, received string' }] } },
  { name: 'input missing a required field names it', send: post('/pipelines/typed/main', JSON.stringify({ pipeline_input: { rows: [{}] } })), status: 400, code: 'INVALID_INPUT', message: "pipeline 'typed' input does not match its schema: [rows][0][x]: Invalid input: expected number, received undefined", details: { issues: [{ path: ['rows', '0', 'x'], message: 'Invalid input: expected number, received undefined' }] } },

  // Deep nesting
  { name: 'deeply nested JSON: 100k levels of [ as the body', send: main(nested(100_000)), status: 400, code: 'INVALID_JSON', message: tooDeep },
  { name: 'deeply nested JSON: 100k levels of [ as the pipeline input', send: post('/pipelines/echo/main', `{"pipeline_input": ${nested(100_000)}}`), status: 400, code: 'INVALID_JSON', message: tooDeep },
  { name: 'deeply nested JSON: 100k levels of objects', send: post('/pipelines/echo/main', `{"pipeline_input": ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`), status: 400, code: 'INVALID_JSON', message: tooDeep },
  { name: 'deeply nested JSON: 100k levels with a __proto__ key (reviver path)', send: post('/pipelines/echo/main', `{"__proto__": 1, "pipeline_input": ${nested(100_000)}}`), status: 400, code: 'INVALID_JSON', message: tooDeep },
  { name: 'deeply nested JSON: 1000 levels in all is accepted', send: post('/pipelines/echo/main', `{"pipeline_input": ${nested(999)}}`), status: 200, output: JSON.parse(nested(999)) },
  { name: 'deeply nested JSON: 1001 levels in all is refused', send: post('/pipelines/echo/main', `{"pipeline_input": ${nested(1000)}}`), status: 400, code: 'INVALID_JSON', message: tooDeep },

  // Path traversal in pipeline names
  { name: 'traversal in a pipeline name: ..%2F..%2Fetc', send: post('/pipelines/..%2F..%2Fetc/main', '{}'), status: 404, code: 'PIPELINE_NOT_FOUND', message: notServed('../../etc'), details: notServedDetails('../../etc') },
  { name: 'traversal in a pipeline name: %2e%2e is a dot segment', send: post('/pipelines/%2e%2e/save', 'null'), status: 404, code: 'NOT_FOUND', message: 'no route POST /save; see GET /openapi.json' },
  { name: 'traversal in a pipeline name: encoded backslashes', send: post('/pipelines/..%5C..%5Cetc/load', 'null'), status: 404, code: 'PIPELINE_NOT_FOUND', message: notServed('..\\..\\etc'), details: notServedDetails('..\\..\\etc') },
  { name: 'traversal in a pipeline name: fully encoded ../../etc/passwd', send: post('/pipelines/%2e%2e%2f%2e%2e%2fetc%2fpasswd/versions', 'null'), status: 404, code: 'PIPELINE_NOT_FOUND', message: notServed('../../etc/passwd'), details: notServedDetails('../../etc/passwd') },
  { name: 'traversal in a pipeline name: raw ../ on the request line', send: post('/pipelines/../../etc/save', 'null'), status: 404, code: 'NOT_FOUND', message: 'no route POST /etc/save; see GET /openapi.json' },

  // Path traversal in data paths (they come from code: the run fails and writes nothing)
  { name: 'traversal in a data path: DataSavingNode with ../../../', send: post('/pipelines/save_outside/main', '{"pipeline_input": {"pwned": true}}'), status: 400, code: 'INVALID_PATH', message: leaves('/data/../../../outside.json'), details: { path: '/data/../../../outside.json' } },
  { name: 'traversal in a data path: DataSavingNode with %2e%2e', send: post('/pipelines/save_encoded/main', '{"pipeline_input": {"pwned": true}}'), status: 400, code: 'INVALID_PATH', message: "path '/data/%2e%2e/%2e%2e/%2e%2e/encoded.json' is not allowed: it contains a percent-encoded dot, slash or NUL; use a path relative to the store root without '..'", details: { path: '/data/%2e%2e/%2e%2e/%2e%2e/encoded.json' } },
  { name: 'traversal in a data path: DataLoadingNode is not loaded, with the reason', send: post('/pipelines/load_outside/main', '{}'), status: 419, code: 'PIPELINE_NOT_LOADED', message: leaves('/data/../../../etc/passwd'), details: { pipeline: 'load_outside' } },

  // Prototype keys
  { name: '__proto__ key in the body', send: main('{"__proto__": {"polluted": 1, "use_worker": true}, "pipeline_input": 3}'), status: 200, output: true },
  { name: 'escaped __proto__ key in the body', send: main('{"\\u005f_proto__": {"polluted": 1}, "pipeline_input": 3}'), status: 200, output: true },
  { name: 'constructor.prototype keys in the body', send: main('{"constructor": {"prototype": {"polluted": 1}}, "prototype": {"polluted": 1}, "pipeline_input": 3}'), status: 200, output: true },
  { name: '__proto__ key inside the pipeline input is dropped', send: post('/pipelines/echo/main', '{"pipeline_input": {"a": 1, "__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}}'), status: 200, output: { a: 1, constructor: { prototype: { polluted: 1 } } } },
  { name: 'pipeline named __proto__', send: post('/pipelines/__proto__/main', '{}'), status: 404, code: 'PIPELINE_NOT_FOUND', message: notServed('__proto__'), details: notServedDetails('__proto__') },
  { name: 'pipeline named constructor', send: post('/pipelines/constructor/versions', 'null'), status: 404, code: 'PIPELINE_NOT_FOUND', message: notServed('constructor'), details: notServedDetails('constructor') },
  { name: 'pipeline named prototype', send: { path: '/pipelines/prototype/health_check' }, status: 404, code: 'PIPELINE_NOT_FOUND', message: notServed('prototype'), details: notServedDetails('prototype') },
  { name: 'pipeline named hasOwnProperty', send: post('/pipelines/hasOwnProperty/save', 'null'), status: 404, code: 'PIPELINE_NOT_FOUND', message: notServed('hasOwnProperty'), details: notServedDetails('hasOwnProperty') },
  { name: 'job id __proto__', pooled: true, send: post('/jobs/fetch/', '{"job_id": "__proto__"}'), status: 400, code: 'INVALID_BODY', message: "job id '__proto__' is not valid: expected a job id as the call answered it (a UUID)" },

  // Long and unusual names
  { name: 'very long pipeline name (10k chars) is cut in the message', send: post(`/pipelines/${'a'.repeat(10_000)}/main`, '{}'), status: 404, code: 'PIPELINE_NOT_FOUND', message: notServed('a'.repeat(200)), details: notServedDetails('a'.repeat(200)) },
  { name: 'RTL override and Hebrew in a pipeline name', send: post(`/pipelines/${encodeURIComponent('\u202Eשלום')}/main`, '{}'), status: 404, code: 'PIPELINE_NOT_FOUND', message: notServed('\u202Eשלום'), details: notServedDetails('\u202Eשלום') },
  { name: 'emoji pipeline name, unknown', send: post(`/pipelines/${encodeURIComponent('🚀')}/main`, '{}'), status: 404, code: 'PIPELINE_NOT_FOUND', message: notServed('🚀'), details: notServedDetails('🚀') },
  { name: 'emoji pipeline name, served', send: post(`/pipelines/${encodeURIComponent(EMOJI)}/main`, '{"pipeline_input": "ok"}'), status: 200, output: 'ok' },
  { name: 'NUL (%00) in a pipeline name', send: post('/pipelines/is_odd%00/main', '{}'), status: 404, code: 'PIPELINE_NOT_FOUND', message: notServed('is_odd\0'), details: notServedDetails('is_odd\0') },
  { name: 'combining mark after a served name is another name', send: post(`/pipelines/${encodeURIComponent('is_odd\u0301')}/main`, '{}'), status: 404, code: 'PIPELINE_NOT_FOUND', message: notServed('is_odd\u0301'), details: notServedDetails('is_odd\u0301') },
  { name: 'malformed percent-encoding in a pipeline name', send: post('/pipelines/%E0%A4%A/main', '{}'), status: 404, code: 'PIPELINE_NOT_FOUND', message: notServed('%E0%A4%A'), details: notServedDetails('%E0%A4%A') },

  // use_worker
  { name: 'use_worker true with no pool', send: main('{"pipeline_input": 3, "use_worker": true}'), status: 400, code: 'NO_WORKER_POOL', message: "pipeline 'is_odd' was asked to run in a worker but the app has no workerPool; pass one to new Chariots(pipelines, { workerPool })" },
  { name: 'use_worker of a wrong type ("yes")', send: main('{"pipeline_input": 3, "use_worker": "yes"}'), status: 400, code: 'INVALID_BODY', message: "the request body is not valid: field 'use_worker': Invalid input: expected boolean, received string" },
  { name: 'use_worker of a wrong type (1)', send: main('{"pipeline_input": 3, "use_worker": 1}'), status: 400, code: 'INVALID_BODY', message: "the request body is not valid: field 'use_worker': Invalid input: expected boolean, received number" },

  // Methods: a wrong method on an existing route is a 405 naming the right one (Allow header checked below)
  { name: 'PUT on the main route', send: { method: 'PUT', path: '/pipelines/is_odd/main', headers: JSON_TYPE, body: '{}' }, status: 405, code: 'METHOD_NOT_ALLOWED', message: 'method PUT is not allowed on /pipelines/is_odd/main; use POST (see GET /openapi.json)' },
  { name: 'DELETE on the save route', send: { method: 'DELETE', path: '/pipelines/is_odd/save' }, status: 405, code: 'METHOD_NOT_ALLOWED', message: 'method DELETE is not allowed on /pipelines/is_odd/save; use POST (see GET /openapi.json)' },
  { name: 'PATCH on /health_check', send: { method: 'PATCH', path: '/health_check', headers: JSON_TYPE, body: '{}' }, status: 405, code: 'METHOD_NOT_ALLOWED', message: 'method PATCH is not allowed on /health_check; use GET (see GET /openapi.json)' },
  { name: 'GET on the main route', send: { path: '/pipelines/is_odd/main' }, status: 405, code: 'METHOD_NOT_ALLOWED', message: 'method GET is not allowed on /pipelines/is_odd/main; use POST (see GET /openapi.json)' },
  { name: 'OPTIONS with CORS off', send: { method: 'OPTIONS', path: '/pipelines/is_odd/main' }, status: 405, code: 'METHOD_NOT_ALLOWED', message: 'method OPTIONS is not allowed on /pipelines/is_odd/main; use POST (see GET /openapi.json)' },
  { name: 'GET on a path that is no route is still a 404', send: { path: '/pipelines/is_odd/train' }, status: 404, code: 'NOT_FOUND', message: 'no route GET /pipelines/is_odd/train; see GET /openapi.json' },

  // Query strings of /jobs/:id/wait
  ...(
    [
      ['-1', '-1'],
      ['abc', 'abc'],
      ['99999999999999999999', '99999999999999999999'],
      ['600001', '600001'],
      ['1.5', '1.5'],
      ['0x10', '0x10'],
      ['1e3', '1e3'],
      ['%20', ' '],
      ['%00', '\0'],
    ] as const
  ).map(
    ([raw, text]): Case => ({
      name: `garbage timeout_ms=${raw} on /jobs/:id/wait`,
      pooled: true,
      send: { path: `/jobs/${UNKNOWN_JOB}/wait?timeout_ms=${raw}` },
      status: 400,
      code: 'INVALID_PATH',
      message: badTimeout(text),
    }),
  ),
]

describe('bad input against a real server', () => {
  let store: TempStore
  let plain: TestServer
  let pooled: TestServer
  let outsideBefore: string[]
  const prototypesBefore = protoNames()
  const bodies: string[] = []

  const send = async (server: TestServer, init: RawRequestInit): Promise<RawResponse> => {
    const res = await server.request(init)
    bodies.push(res.text)
    return res
  }

  beforeAll(async () => {
    store = await tempStore()
    const plainApp = new Chariots(
      [
        isOddPipeline(),
        pass('echo'),
        pass('typed', { input: z.object({ rows: z.array(z.object({ x: z.number() })) }) }),
        pass(EMOJI),
        saveTo('save_outside', '../../../outside.json'),
        saveTo('save_encoded', '%2e%2e/%2e%2e/%2e%2e/encoded.json'),
        loadFrom('load_outside', '../../../etc/passwd'),
      ],
      { path: store.root('plain') },
    )
    const pooledApp = new Chariots([isOddPipeline()], {
      path: store.root('pooled'),
      workerPool: new InProcessWorkerPool({ concurrency: 0 }),
    })
    await Promise.all([plainApp.ready(), pooledApp.ready()])
    plain = await startTestServer(plainApp)
    pooled = await startTestServer(pooledApp)
    outsideBefore = await store.snapshotOutside()
  })

  afterEach(async () => {
    // After every case both servers still answer, with every pipeline as it was.
    const health = await send(plain, { path: '/health_check' })
    expect(health.status).toBe(200)
    expect(health.json()).toEqual({
      is_odd: true,
      echo: true,
      typed: true,
      [EMOJI]: true,
      save_outside: true,
      save_encoded: true,
      load_outside: false,
    })
    const pooledHealth = await send(pooled, { path: '/health_check' })
    expect(pooledHealth.json()).toEqual({ is_odd: true })
  })

  afterAll(async () => {
    await plain?.close()
    await pooled?.close()
    await store?.remove()
  })

  it(`has at least 25 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(25)
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length)
  })

  for (const c of cases) {
    it(c.name, async () => {
      const res = await send(c.pooled ? pooled : plain, c.send)
      if (c.code !== undefined) {
        expectJsonError(res, c.status, c.code, c.message, c.details)
      } else {
        expect(res.status).toBe(c.status)
        const { versions, ...rest } = res.json()
        // toEqual, not toStrictEqual: the strict one compares own `constructor` keys as types.
        expect(rest).toEqual({ pipeline_output: c.output, job_id: null, job_status: 'done' })
        expect(Object.keys(rest)).toEqual(['pipeline_output', 'job_id', 'job_status'])
        expect(typeof versions).toBe('object')
      }
    })
  }

  const tooLarge = (name: string) =>
    `the request body is larger than the limit of 1048576 bytes; send a smaller input, or raise the limit of pipeline '${name}': new Pipeline(nodes, '${name}', { bodyLimit }), or new Chariots(pipelines, { pipelineBodyLimit })`

  it('a 50 MB body with a Content-Length gets 413 before the server reads it', async () => {
    plain.resetBytesRead()
    const r = await streamBody(plain.port, {
      path: '/pipelines/echo/main',
      totalBytes: 50 * MB,
      chunked: false,
    })
    expect(r.status).toBe(413)
    expect(JSON.parse(r.body)).toStrictEqual({ error: { code: 'BODY_TOO_LARGE', message: tooLarge('echo') } })
    // Judged by the header alone: the answer came long before 50 MB were sent or read.
    expect(r.bytesSentBeforeAnswer).toBeLessThan(16 * MB)
    expect(plain.bytesRead()).toBeLessThan(4 * MB)
    bodies.push(r.body)
  })

  it('a 50 MB chunked body (no Content-Length) gets 413 after about the 1 MB limit of /main', async () => {
    plain.resetBytesRead()
    const r = await streamBody(plain.port, {
      path: '/pipelines/echo/main',
      totalBytes: 50 * MB,
      chunked: true,
    })
    expect(r.status).toBe(413)
    expect(JSON.parse(r.body)).toStrictEqual({ error: { code: 'BODY_TOO_LARGE', message: tooLarge('echo') } })
    // Counted as it streams: the server stopped near the limit instead of buffering 50 MB.
    expect(r.bytesSentBeforeAnswer).toBeLessThan(12 * MB)
    expect(plain.bytesRead()).toBeLessThan(8 * MB)
    bodies.push(r.body)
  })

  it('a 1 MB chunked body under the limit is read whole', async () => {
    const r = await streamBody(plain.port, { path: '/pipelines/echo/main', totalBytes: MB, chunked: true })
    expect(r.status).toBe(200)
    const out = JSON.parse(r.body).pipeline_output
    expect(out).toBe(' '.repeat(MB - '{"pipeline_input":""}'.length))
  })

  it('HEAD on routes: 405 with Allow and no body for POST routes, 200 for GET routes, never 500', async () => {
    for (const [path, status, allow] of [
      ['/pipelines/is_odd/main', 405, 'POST'],
      ['/pipelines/is_odd/save', 405, 'POST'],
      ['/jobs/fetch/', 405, 'POST'],
      ['/health_check', 200, undefined],
      ['/pipelines/is_odd/health_check', 200, undefined],
      ['/available_pipelines', 200, undefined],
    ] as const) {
      const res = await send(plain, { method: 'HEAD', path })
      expect({ path, status: res.status, text: res.text, allow: res.headers.allow }).toEqual({
        path,
        status,
        text: '',
        allow,
      })
      expect(res.headers['content-type']).toMatch(/^application\/json/)
    }
  })

  it('a wrong method gets an Allow header naming the methods of the route', async () => {
    for (const [init, allow] of [
      [{ path: '/pipelines/is_odd/main' }, 'POST'],
      [{ method: 'PUT', path: '/pipelines/is_odd/versions' }, 'POST'],
      [{ method: 'POST', path: '/health_check', headers: JSON_TYPE, body: '{}' }, 'GET, HEAD'],
      [{ method: 'DELETE', path: `/jobs/${UNKNOWN_JOB}/wait` }, 'GET, HEAD'],
    ] as const) {
      const res = await send(plain, init)
      expect({ path: init.path, status: res.status, allow: res.headers.allow }).toEqual({
        path: init.path,
        status: 405,
        allow,
      })
    }
  })

  it('the data nodes that climb out wrote nothing anywhere', async () => {
    expect(existsSync(join(store.parent, 'outside.json'))).toBe(false)
    expect(existsSync(join(store.parent, 'encoded.json'))).toBe(false)
    expect(existsSync(join(store.root('plain'), 'data'))).toBe(false)
  })

  it('no prototype was polluted in the server process', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined()
    expect(protoNames()).toEqual(prototypesBefore)
  })

  it('nothing outside the app roots changed', async () => {
    expect(await store.snapshotOutside()).toEqual(outsideBefore)
    expect(outsideBefore).toContain('etc/')
  })

  it('no answer carried a stack trace or a file system path', () => {
    expect(bodies.length).toBeGreaterThan(10)
    for (const body of bodies) {
      expect(body).not.toMatch(/"stack"|\n\s+at |node_modules|\.ts:\d+|\.js:\d+/)
      expect(body).not.toContain(store.parent)
    }
  })
})

/** Own property names of the prototypes a pollution would reach. */
function protoNames(): string[][] {
  return [Object.prototype, Array.prototype, Function.prototype].map((p) =>
    Object.getOwnPropertyNames(p).sort(),
  )
}
