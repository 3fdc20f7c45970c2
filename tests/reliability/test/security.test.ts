// Security options against a real server: bearer auth on every route (health checks optionally
// public), CORS only when configured, stack traces only in debug mode. Behaviour only: the
// constant-time comparison is described in RELIABILITY.md (bearer-auth.ts uses timingSafeEqual).
import { randomBytes } from 'node:crypto'
import { BaseOp, Node, Pipeline, ReservedNodes } from '@chariots/core'
import { Chariots, type ChariotsOptions } from '@chariots/server'
import { FailingOp, failingPipeline, isOddPipeline } from '@chariots/testing'
import { InProcessWorkerPool } from '@chariots/workers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectJsonError } from './helpers/expect-json-error.js'
import type { RawRequestInit, RawResponse } from './helpers/raw-request.js'
import { startTestServer, type TestServer } from './helpers/start-test-server.js'
import { type TempStore, tempStore } from './helpers/temp-store.js'

const { pipelineOutput: OUT } = ReservedNodes
const TOKEN = `tok_${randomBytes(16).toString('hex')}`
const UNKNOWN_JOB = '0b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed'
const UNAUTHORIZED = 'missing or wrong bearer token; send Authorization: Bearer <token>'
const A = 'https://a.example'
const B = 'https://b.example'

class ThrowStringOp extends BaseOp {
  static override opName = 'throwstringop'
  execute(): never {
    throw 'a thrown string, not an Error'
  }
}

class BigIntOp extends BaseOp {
  static override opName = 'bigintop'
  execute(): bigint {
    return 10n
  }
}

const pipelines = () => [
  isOddPipeline(),
  failingPipeline(),
  new Pipeline([new Node(new ThrowStringOp(), { outputNodes: OUT })], 'throw_string'),
  new Pipeline([new Node(new BigIntOp(), { outputNodes: OUT })], 'bigint'),
]

const json = { 'content-type': 'application/json' }
const post = (path: string, body: string, headers: Record<string, string> = {}): RawRequestInit => ({
  method: 'POST',
  path,
  headers: { ...json, ...headers },
  body,
})
const get = (path: string, headers: Record<string, string> = {}): RawRequestInit => ({ path, headers })
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** Every route of the app, and the status it answers once past auth. */
const ROUTES: { route: string; send: (h: Record<string, string>) => RawRequestInit; status: number }[] = [
  {
    route: 'POST /pipelines/:name/main',
    send: (h) => post('/pipelines/is_odd/main', '{"pipeline_input": 3}', h),
    status: 200,
  },
  {
    route: 'POST /pipelines/:name/save',
    send: (h) => post('/pipelines/is_odd/save', 'null', h),
    status: 200,
  },
  {
    route: 'POST /pipelines/:name/load',
    send: (h) => post('/pipelines/is_odd/load', 'null', h),
    status: 200,
  },
  {
    route: 'POST /pipelines/:name/versions',
    send: (h) => post('/pipelines/is_odd/versions', 'null', h),
    status: 200,
  },
  {
    route: 'GET /pipelines/:name/health_check',
    send: (h) => get('/pipelines/is_odd/health_check', h),
    status: 200,
  },
  { route: 'GET /health_check', send: (h) => get('/health_check', h), status: 200 },
  { route: 'GET /available_pipelines', send: (h) => get('/available_pipelines', h), status: 200 },
  { route: 'GET /openapi.json', send: (h) => get('/openapi.json', h), status: 200 },
  {
    route: 'POST /jobs/fetch/',
    send: (h) => post('/jobs/fetch/', JSON.stringify({ job_id: UNKNOWN_JOB }), h),
    status: 404,
  },
  { route: 'GET /jobs/:id/wait', send: (h) => get(`/jobs/${UNKNOWN_JOB}/wait?timeout_ms=0`, h), status: 404 },
  { route: 'an unknown pipeline', send: (h) => post('/pipelines/nope/main', '{}', h), status: 404 },
  { route: 'an unknown route', send: (h) => get('/nowhere', h), status: 404 },
]

describe('security options', () => {
  let store: TempStore
  const servers: TestServer[] = []
  const open = async (name: string, options: Omit<ChariotsOptions, 'path'>) => {
    const app = new Chariots(pipelines(), { path: store.root(name), ...options })
    await app.ready()
    const server = await startTestServer(app)
    servers.push(server)
    return server
  }
  const expect401 = (res: RawResponse) => {
    expectJsonError(res, 401, 'UNAUTHORIZED', UNAUTHORIZED)
    expect(res.headers['www-authenticate']).toBe('Bearer')
  }

  let authed: TestServer
  let publicHealth: TestServer
  let plain: TestServer
  let withCors: TestServer
  let corsAndAuth: TestServer
  let debug: TestServer

  beforeAll(async () => {
    store = await tempStore()
    const pool = () => new InProcessWorkerPool({ concurrency: 0 })
    authed = await open('authed', { auth: { token: TOKEN }, workerPool: pool() })
    publicHealth = await open('public-health', {
      auth: { token: TOKEN, publicHealth: true },
      workerPool: pool(),
    })
    plain = await open('plain', {})
    withCors = await open('cors', { cors: { origin: A } })
    corsAndAuth = await open('cors-auth', { cors: { origin: A }, auth: { token: TOKEN } })
    debug = await open('debug', { debug: true })
  })

  afterAll(async () => {
    for (const s of servers) await s.close()
    await store?.remove()
  })

  describe('auth: { token }', () => {
    for (const { route, send } of ROUTES) {
      it(`auth: ${route} without a token is 401`, async () => {
        expect401(await authed.request(send({})))
      })
    }

    for (const { route, send, status } of ROUTES) {
      it(`auth: ${route} with the token passes`, async () => {
        const res = await authed.request(send(bearer(TOKEN)))
        expect(res.status).toBe(status)
        expect(res.headers['www-authenticate']).toBeUndefined()
      })
    }

    const refused: [string, string][] = [
      ['wrong scheme (Basic)', `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`],
      ['wrong scheme (Token)', `Token ${TOKEN}`],
      ['no scheme, the token alone', TOKEN],
      ['wrong token of the same length', `Bearer ${'x'.repeat(TOKEN.length)}`],
      ['token with one character changed', `Bearer ${TOKEN.slice(0, -1)}${TOKEN.endsWith('0') ? '1' : '0'}`],
      ['token of a different length', `Bearer ${TOKEN}${TOKEN}`],
      ['token prefix', `Bearer ${TOKEN.slice(0, 8)}`],
      ['token with a suffix', `Bearer ${TOKEN}x`],
      ['token in upper case', `Bearer ${TOKEN.toUpperCase()}`],
      ['Bearer and nothing', 'Bearer '],
      ['Bearer with only spaces', 'Bearer    '],
      ['empty header', ''],
    ]
    for (const [what, header] of refused) {
      it(`auth: ${what} is 401`, async () => {
        expect401(
          await authed.request(
            post('/pipelines/is_odd/main', '{"pipeline_input": 3}', { authorization: header }),
          ),
        )
      })
    }

    it('auth: the token in the query string is not accepted', async () => {
      expect401(await authed.request(get(`/health_check?token=${TOKEN}&access_token=${TOKEN}`)))
    })

    it('auth: the scheme is case-insensitive (RFC 7235) and spaces around the token are allowed', async () => {
      for (const header of [`bearer ${TOKEN}`, `BEARER ${TOKEN}`, `Bearer   ${TOKEN}  `]) {
        const res = await authed.request(
          post('/pipelines/is_odd/main', '{"pipeline_input": 3}', { authorization: header }),
        )
        expect({ header, status: res.status }).toEqual({ header, status: 200 })
      }
    })

    it('auth: an empty token is refused when the app is built', () => {
      expect(
        () => new Chariots(pipelines(), { path: store.root('empty-token'), auth: { token: '' } }),
      ).toThrowError(
        expect.objectContaining({ code: 'INVALID_INPUT', message: 'auth.token must be a non-empty string' }),
      )
    })
  })

  describe('auth: { token, publicHealth: true }', () => {
    it('publicHealth: both health checks answer without a token', async () => {
      const all = await publicHealth.request(get('/health_check'))
      expect(all.status).toBe(200)
      expect(all.json()).toEqual({ is_odd: true, failing: true, throw_string: true, bigint: true })
      const one = await publicHealth.request(get('/pipelines/is_odd/health_check'))
      expect(one.status).toBe(200)
      // `is_loaded` as the Python client reads it, plus since when and which saved states it holds.
      expect(one.json()).toEqual({
        is_loaded: true,
        loaded_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        states: {},
      })
    })

    it('publicHealth: HEAD on both health checks answers without a token, as GET does', async () => {
      for (const path of ['/health_check', '/pipelines/is_odd/health_check']) {
        const res = await publicHealth.request({ method: 'HEAD', path })
        expect({ path, status: res.status, text: res.text }).toEqual({ path, status: 200, text: '' })
      }
    })

    it('publicHealth: HEAD on other GET routes still needs the token, as GET does', async () => {
      for (const path of ['/available_pipelines', '/openapi.json']) {
        const res = await publicHealth.request({ method: 'HEAD', path })
        expect({ path, status: res.status, auth: res.headers['www-authenticate'] }).toEqual({
          path,
          status: 401,
          auth: 'Bearer',
        })
        const authed = await publicHealth.request({ method: 'HEAD', path, headers: bearer(TOKEN) })
        expect({ path, status: authed.status }).toEqual({ path, status: 200 })
      }
    })

    const closed = ROUTES.filter((r) => !r.route.includes('health_check'))
    for (const { route, send, status } of closed) {
      it(`publicHealth: ${route} still needs the token`, async () => {
        expect401(await publicHealth.request(send({})))
        expect((await publicHealth.request(send(bearer(TOKEN)))).status).toBe(status)
      })
    }

    it('publicHealth: a POST to a health path, or another path ending in /health_check, opens nothing', async () => {
      expect401(await publicHealth.request(post('/health_check', '{}')))
      expect401(await publicHealth.request(post('/pipelines/is_odd/health_check', '{}')))
      expectJsonError(
        await publicHealth.request(get('/available_pipelines/health_check')),
        404,
        'NOT_FOUND',
        'no route GET /available_pipelines/health_check; see GET /openapi.json',
      )
      expectJsonError(
        await publicHealth.request(get('/pipelines/is_odd/main/health_check')),
        404,
        'NOT_FOUND',
        'no route GET /pipelines/is_odd/main/health_check; see GET /openapi.json',
      )
    })
  })

  describe('CORS', () => {
    const corsHeaders = (res: RawResponse) =>
      Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))
    const preflight = (origin: string, headers: Record<string, string> = {}): RawRequestInit => ({
      method: 'OPTIONS',
      path: '/pipelines/is_odd/main',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
        ...headers,
      },
    })

    it('CORS off: a cross-origin request gets no Access-Control-Allow-Origin', async () => {
      const res = await plain.request(post('/pipelines/is_odd/main', '{"pipeline_input": 3}', { origin: A }))
      expect(res.status).toBe(200)
      expect(corsHeaders(res)).toEqual([])
    })

    it('CORS off: a preflight gets a 405 JSON error and no CORS headers', async () => {
      const res = await plain.request(preflight(A))
      expectJsonError(
        res,
        405,
        'METHOD_NOT_ALLOWED',
        'method OPTIONS is not allowed on /pipelines/is_odd/main; use POST (see GET /openapi.json)',
      )
      expect(res.headers.allow).toBe('POST')
      expect(corsHeaders(res)).toEqual([])
    })

    it('CORS on: the configured origin is allowed on requests and preflights', async () => {
      const res = await withCors.request(
        post('/pipelines/is_odd/main', '{"pipeline_input": 3}', { origin: A }),
      )
      expect(res.status).toBe(200)
      expect(res.headers['access-control-allow-origin']).toBe(A)
      const pre = await withCors.request(preflight(A))
      expect(pre.status).toBe(204)
      expect(pre.headers['access-control-allow-origin']).toBe(A)
      expect(String(pre.headers['access-control-allow-methods'])).toContain('POST')
    })

    it('CORS on: another origin is not allowed, on requests or preflights', async () => {
      const res = await withCors.request(
        post('/pipelines/is_odd/main', '{"pipeline_input": 3}', { origin: B }),
      )
      expect(res.status).toBe(200)
      expect(res.headers['access-control-allow-origin']).toBeUndefined()
      const pre = await withCors.request(preflight(B))
      expect(pre.headers['access-control-allow-origin']).toBeUndefined()
      const none = await withCors.request(get('/health_check'))
      expect(none.headers['access-control-allow-origin']).toBeUndefined()
    })

    it('CORS with auth: preflights need no token, and a 401 still carries the CORS header', async () => {
      const pre = await corsAndAuth.request(preflight(A))
      expect(pre.status).toBe(204)
      expect(pre.headers['access-control-allow-origin']).toBe(A)
      const res = await corsAndAuth.request(
        post('/pipelines/is_odd/main', '{"pipeline_input": 3}', { origin: A }),
      )
      expect401(res)
      expect(res.headers['access-control-allow-origin']).toBe(A)
      const ok = await corsAndAuth.request(
        post('/pipelines/is_odd/main', '{"pipeline_input": 3}', { origin: A, ...bearer(TOKEN) }),
      )
      expect(ok.status).toBe(200)
    })
  })

  describe('stack traces', () => {
    it('debug off: an op that throws is a 500 with its message and no stack', async () => {
      const res = await plain.request(post('/pipelines/failing/main', '{}'))
      expectJsonError(res, 500, 'OP_FAILED', FailingOp.message)
      expect(res.text).not.toMatch(/\n\s+at |"stack"/)
    })

    it('debug off: an op that throws a string is a 500 with that string and no stack', async () => {
      const res = await plain.request(post('/pipelines/throw_string/main', '{}'))
      expectJsonError(res, 500, 'OP_FAILED', 'a thrown string, not an Error')
    })

    it('debug off: an answer that cannot be serialized is a 500 INTERNAL with no stack', async () => {
      const res = await plain.request(post('/pipelines/bigint/main', '{}'))
      expectJsonError(res, 500, 'INTERNAL', 'Do not know how to serialize a BigInt')
      // and the server goes on answering
      expect((await plain.request(post('/pipelines/is_odd/main', '{"pipeline_input": 3}'))).status).toBe(200)
    })

    it('debug on: the same errors carry their stack', async () => {
      const res = await debug.request(post('/pipelines/failing/main', '{}'))
      expect(res.status).toBe(500)
      const { error } = res.json()
      expect(Object.keys(error).sort()).toEqual(['code', 'message', 'stack'])
      expect(error).toMatchObject({ code: 'OP_FAILED', message: FailingOp.message })
      expect(error.stack).toContain(`Error: ${FailingOp.message}`)
      expect(error.stack).toMatch(/\n\s+at /)
      const bad = (await debug.request(post('/pipelines/is_odd/main', '{"pipeline_input": '))).json()
      expect(bad.error).toMatchObject({ code: 'INVALID_JSON', stack: expect.stringMatching(/\n\s+at /) })
    })
  })
})
