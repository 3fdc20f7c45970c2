// applyHttpServerLimits over raw sockets: parser errors and timeouts answer JSON, early answers
// close the connection instead of reading a body that never ends, and the connection cap holds.
import type { Server } from 'node:http'
import { createServer as createHttp2Server } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { isOddPipeline } from '@chariots/testing'
import { serve } from '@hono/node-server'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  applyHttpServerLimits,
  Chariots,
  type ChariotsOptions,
  DEFAULT_HTTP_SERVER_LIMITS,
  type HttpServerLimits,
} from '../src/index.js'
import { endlessBody, exchange } from './helpers/raw-socket.js'
import { tempDir } from './helpers/transports.js'

const MB = 1024 * 1024
const TOKEN = 'a-token-long-enough-to-be-real'

describe('applyHttpServerLimits', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  const servers: Server[] = []
  const start = async (limits: Partial<HttpServerLimits> = {}, options: ChariotsOptions = {}) => {
    const app = new Chariots([isOddPipeline()], { path: dir.path, ...options })
    await app.ready()
    const server = applyHttpServerLimits(
      serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server,
      limits,
    )
    servers.push(server)
    await new Promise((resolve) => server.once('listening', resolve))
    return (server.address() as AddressInfo).port
  }
  /** Resolves once the last server started holds `n` connections (bounded: 5 s). */
  const connections = async (n: number) => {
    const server = servers.at(-1)!
    const deadline = Date.now() + 5_000
    for (;;) {
      const count = await new Promise<number>((resolve) => server.getConnections((_e, c) => resolve(c)))
      if (count === n || Date.now() > deadline) return count
      await new Promise((r) => setTimeout(r, 10))
    }
  }
  const stillAnswers = async (port: number) => {
    const { answer } = await exchange(
      port,
      'GET /health_check HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    )
    expect([200, 401]).toContain(answer?.status) // 401 on the app with auth: it answers
  }

  beforeEach(async () => {
    dir = await tempDir()
  })
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      await new Promise<void>((resolve) => {
        s.close(() => resolve())
        s.closeAllConnections()
      })
    }
    await dir.remove()
  })

  it('has the documented defaults', () => {
    expect(DEFAULT_HTTP_SERVER_LIMITS).toMatchObject({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 5_000,
    })
    expect(DEFAULT_HTTP_SERVER_LIMITS.maxConnections).toBeGreaterThanOrEqual(16)
    expect(DEFAULT_HTTP_SERVER_LIMITS.maxConnections).toBeLessThanOrEqual(1_000)
  })

  it.each([
    [
      'a URL over 16 KB',
      `GET /${'a'.repeat(17 * 1024)} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
      /^the request line and headers are larger than 16384 bytes \(a URL over 16 KB, or too many headers\); send large inputs as JSON in the body of a POST instead$/,
    ],
    [
      '3,000 headers',
      `GET / HTTP/1.1\r\nHost: localhost\r\n${Array.from({ length: 3000 }, (_, i) => `x-h${i}: v`).join('\r\n')}\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
      /^the request line and headers are larger than/,
    ],
    [
      'a bad method',
      'FETCH /health_check HTTP/1.1\r\nHost: localhost\r\n\r\n',
      400,
      'MALFORMED_REQUEST',
      /^the request method is not a valid HTTP method; use GET or POST/,
    ],
    [
      'Content-Length with Transfer-Encoding',
      'POST /pipelines/is_odd/main HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
      'MALFORMED_REQUEST',
      /^the request has both Content-Length and Transfer-Encoding; send only one of them$/,
    ],
    [
      'bare LF line endings',
      'GET /health_check HTTP/1.1\nHost: localhost\n\n',
      400,
      'MALFORMED_REQUEST',
      /^the request is not valid HTTP\/1\.1 \(.+\); end lines with CRLF and send well-formed headers$/,
    ],
  ])('answers %s with a JSON error, then closes', async (_name, bytes, status, code, message) => {
    const port = await start()
    const { answer, closedByServer } = await exchange(port, bytes)
    expect(answer?.status).toBe(status)
    expect(answer?.headers['content-type']).toBe('application/json')
    expect(answer?.headers.connection).toBe('close')
    const body = JSON.parse(answer!.body)
    expect(body).toStrictEqual({ error: { code, message: expect.stringMatching(message) } })
    expect(closedByServer).toBe(true)
    await stillAnswers(port)
  })

  it('answers 408 REQUEST_TIMEOUT as JSON to headers that never finish, and closes', async () => {
    const port = await start({ headersTimeoutMs: 400, requestTimeoutMs: 2_000 })
    const { answer, closedByServer } = await exchange(
      port,
      'GET /health_check HTTP/1.1\r\nHost: localhost\r\n',
    )
    expect(answer?.status).toBe(408)
    expect(JSON.parse(answer!.body)).toStrictEqual({
      error: {
        code: 'REQUEST_TIMEOUT',
        message:
          "the request did not arrive in time: headers must arrive within 400 ms and the whole request within 2000 ms; send it faster, or raise the server's limits (chariots serve --headers-timeout-ms / --request-timeout-ms)",
      },
    })
    expect(closedByServer).toBe(true)
  })

  it('answers 408 to a body that trickles in past the request timeout', async () => {
    const port = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600 })
    const head =
      'POST /pipelines/is_odd/main HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"pipeline_input"'
    const { answer, closedByServer } = await exchange(port, head)
    expect(answer?.status).toBe(408)
    expect(JSON.parse(answer!.body).error.code).toBe('REQUEST_TIMEOUT')
    expect(closedByServer).toBe(true)
  })

  it('refuses limits that cannot work, naming them', () => {
    const server = serve({ fetch: () => new Response(), port: 0, hostname: '127.0.0.1' }) as Server
    servers.push(server)
    expect(() => applyHttpServerLimits(server, { headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 })).toThrow(
      'server limit headersTimeoutMs (5000) must not be above requestTimeoutMs (1000): the headers are part of the request',
    )
    expect(() => applyHttpServerLimits(server, { maxConnections: 0 })).toThrow(
      'server limit maxConnections must be a whole number above 0, got 0',
    )
    expect(() => applyHttpServerLimits(createHttp2Server())).toThrow(/needs an HTTP\/1\.1 server/)
  })

  describe('an early answer closes the connection instead of reading a body that never ends', () => {
    const cap = { capBytes: 64 * MB, timeoutMs: 15_000 }
    it.each([
      ['401 (no token)', 'POST /pipelines/is_odd/main', true, 401, { auth: { token: TOKEN } }],
      ['404 (no such route)', 'POST /nowhere', true, 404, {}],
      ['405 (GET on a POST route)', 'GET /pipelines/is_odd/main', true, 405, {}],
      ['413 (a declared 100 MB)', 'POST /pipelines/is_odd/main', false, 413, {}],
      ['200 (a GET with a body)', 'GET /health_check', true, 200, {}],
    ] as const)('%s', async (_name, requestLine, chunked, status, options) => {
      const port = await start({}, options)
      const length = chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${100 * MB}`
      const head = `${requestLine} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${length}`
      const r = await endlessBody(port, head, { chunked, ...cap })
      expect(r.answer?.status).toBe(status)
      expect(r.answer?.headers.connection).toBe('close')
      expect(r.closedByServer).toBe(true)
      // Kernel buffers take a few MB; a server still reading takes the whole 64 MB.
      expect(r.bytesSent).toBeLessThan(16 * MB)
      await stillAnswers(port)
    })

    it('while a body read to its end keeps the connection alive', async () => {
      const port = await start()
      const body = '{"pipeline_input": 3}'
      const request = `POST /pipelines/is_odd/main HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
      const { answer, closedByServer } = await exchange(port, request, 1_000)
      expect(answer?.status).toBe(200)
      expect(answer?.headers.connection).toBe('keep-alive')
      expect(closedByServer).toBe(false) // the test's own timeout closed it
    })
  })

  it('closes connections past maxConnections at once, and takes new ones when others left', async () => {
    const port = await start({ maxConnections: 4 })
    const held = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<ReturnType<typeof connect>>((resolve) => {
            const s = connect(port, '127.0.0.1', () => resolve(s))
            s.on('error', () => undefined)
            s.write('GET /health_check HTTP/1.1\r\nHost: localhost\r\n') // headers left open
          }),
      ),
    )
    expect(await connections(4)).toBe(4)
    const fifth = await exchange(port, 'GET /health_check HTTP/1.1\r\nHost: localhost\r\n\r\n', 5_000)
    expect(fifth).toEqual({ answer: null, closedByServer: true })
    for (const s of held) s.destroy()
    expect(await connections(0)).toBe(0)
    await stillAnswers(port)
  })
})
