// The HTTP edge of the stock iris server (`chariots serve apps/iris/app.ts`, what `pnpm start`
// serves: 127.0.0.1, no auth): DNS rebinding, blind cross-site saves, parser errors, large and
// endless bodies, and 2,000 slow sockets against a small open-file limit. Every process is real and
// every loop is bounded in count and time. Case names are the `-t` filters of RELIABILITY.md.
import { Agent, request } from 'node:http'
import { connect, type Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ServerProcess, startServer } from './helpers/chariots-process.js'
import { endlessBody } from './helpers/endless-body.js'
import { rawExchange } from './helpers/raw-exchange.js'
import { rawRequest } from './helpers/raw-request.js'
import { streamBody } from './helpers/stream-body.js'
import { type TempStore, tempStore } from './helpers/temp-store.js'

const IRIS = fileURLToPath(new URL('../../../apps/iris/app.ts', import.meta.url))
const MB = 1024 * 1024
const JSON_TYPE = { 'content-type': 'application/json' }
const portOf = (server: ServerProcess) => Number(new URL(server.url).port)
const FIX = 'send the body as JSON in UTF-8 with Content-Type: application/json'

/** POSTs JSON through `agent` (one kept-alive connection), answers status and parsed body. */
function postOn(
  agent: Agent,
  port: number,
  path: string,
  body: unknown,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body)
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { ...JSON_TYPE, 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        let data = ''
        res.on('data', (d) => (data += d))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: data === '' ? null : JSON.parse(data) }),
        )
      },
    )
    req.on('error', reject)
    req.end(text)
  })
}

describe('the HTTP edge of the stock iris server', () => {
  let store: TempStore
  let server: ServerProcess
  let port: number

  beforeAll(async () => {
    store = await tempStore()
    server = await startServer(IRIS, { CHARIOTS_PATH: store.root('iris') })
    port = portOf(server)
  })
  afterAll(async () => {
    await server?.stop()
    await store?.remove()
  })

  it('a rebinding Host gets 421 HOST_NOT_ALLOWED on every route, loopback Hosts are answered', async () => {
    for (const path of [
      '/health_check',
      '/available_pipelines',
      '/openapi.json',
      '/pipelines/pred_iris/health_check',
    ]) {
      const res = await rawRequest(port, { path, headers: { host: `rebound.attacker.example:${port}` } })
      expect({ path, status: res.status }).toEqual({ path, status: 421 })
      expect(res.json()).toStrictEqual({
        error: {
          code: 'HOST_NOT_ALLOWED',
          message: expect.stringContaining("host 'rebound.attacker.example:"),
        },
      })
    }
    const post = await rawRequest(port, {
      method: 'POST',
      path: '/pipelines/train_iris/save',
      headers: { ...JSON_TYPE, host: 'rebound.attacker.example' },
      body: 'null',
    })
    expect(post.status).toBe(421)
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      const res = await rawRequest(port, { path: '/health_check', headers: { host } })
      expect({ host, status: res.status }).toEqual({ host, status: 200 })
    }
  })

  it('a body-less cross-site save gets 415 and saves nothing; the Python client save works', async () => {
    expect(
      (await postOn(new Agent(), port, '/pipelines/download_iris/main', { pipeline_input: null })).status,
    ).toBe(200)
    expect(
      (await postOn(new Agent(), port, '/pipelines/train_iris/main', { pipeline_input: null })).status,
    ).toBe(200)
    // What `fetch(url, { method: 'POST', mode: 'no-cors' })` sends from another site: no type, or text/plain.
    const blind = await rawRequest(port, { method: 'POST', path: '/pipelines/train_iris/save' })
    expect(blind.status).toBe(415)
    expect(blind.json()).toStrictEqual({
      error: {
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: `the request has no content type; ${FIX} (a body of null is fine), or send the header X-Chariots: 1 with an empty body`,
      },
    })
    const text = await rawRequest(port, {
      method: 'POST',
      path: '/pipelines/train_iris/save',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: 'null',
    })
    expect(text.status).toBe(415)
    // Nothing was saved: after a load the prediction pipeline still has no models.
    const load = await rawRequest(port, {
      method: 'POST',
      path: '/pipelines/pred_iris/load',
      headers: JSON_TYPE,
      body: 'null',
    })
    expect([200, 419]).toContain(load.status)
    expect((await rawRequest(port, { path: '/pipelines/pred_iris/health_check' })).status).toBe(419)
    // The Python client's save (JSON, body null), then load and predict.
    const saved = await rawRequest(port, {
      method: 'POST',
      path: '/pipelines/train_iris/save',
      headers: JSON_TYPE,
      body: 'null',
    })
    expect(saved.status).toBe(200)
    expect(
      (
        await rawRequest(port, {
          method: 'POST',
          path: '/pipelines/pred_iris/load',
          headers: { 'x-chariots': '1' },
        })
      ).status,
    ).toBe(200)
    const predicted = await postOn(new Agent(), port, '/pipelines/pred_iris/main', {
      pipeline_input: [[1, 2, 3, 4]],
    })
    expect(predicted.status).toBe(200)
    expect(['setosa', 'versicolor', 'virginica']).toContain(predicted.body.pipeline_output[0])
  })

  it.each([
    [
      'a URL over 16 KB',
      `GET /pipelines/${'a'.repeat(17 * 1024)}/health_check HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
    ],
    [
      '3,000 headers',
      `GET /health_check HTTP/1.1\r\nHost: 127.0.0.1\r\n${Array.from({ length: 3000 }, (_, i) => `x-h${i}: v`).join('\r\n')}\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
    ],
    ['a bad method', 'FETCH /health_check HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    [
      'Content-Length with Transfer-Encoding',
      'POST /pipelines/is_odd/main HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
      'MALFORMED_REQUEST',
    ],
    ['bare LF', 'GET /health_check HTTP/1.1\nHost: 127.0.0.1\n\n', 400, 'MALFORMED_REQUEST'],
  ])('a parser error answers JSON: %s', async (_what, bytes, status, code) => {
    const r = await rawExchange(port, bytes)
    expect({ status: r.status, type: r.headers['content-type'], connection: r.headers.connection }).toEqual({
      status,
      type: 'application/json',
      connection: 'close',
    })
    expect(JSON.parse(r.body)).toStrictEqual({ error: { code, message: expect.any(String) } })
    expect(r.closedByServer).toBe(true)
    expect((await rawRequest(port, { path: '/health_check' })).status).toBe(200)
  })

  const tooLarge = (name: string) =>
    `the request body is larger than the limit of 1048576 bytes; send a smaller input, or raise the limit of pipeline '${name}': new Pipeline(nodes, '${name}', { bodyLimit }), or new Chariots(pipelines, { pipelineBodyLimit })`

  it('a 10 MB predict body answers 413 by default, judged by its Content-Length before the body is read', async () => {
    // Only the first 64 KB of the declared 10 MB are sent: the answer cannot wait for the rest.
    const head = `POST /pipelines/pred_iris/main HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${10 * MB}\r\n\r\n`
    const r = await rawExchange(port, `${head}{"pipeline_input": "${' '.repeat(64 * 1024)}`)
    expect({ status: r.status, connection: r.headers.connection, closedByServer: r.closedByServer }).toEqual({
      status: 413,
      connection: 'close',
      closedByServer: true,
    })
    expect(JSON.parse(r.body)).toStrictEqual({
      error: { code: 'BODY_TOO_LARGE', message: tooLarge('pred_iris') },
    })
    expect((await rawRequest(port, { path: '/health_check' })).status).toBe(200)
  })

  it('a 10 MB chunked predict body answers 413 too, and a 50 MB one stops near the 1 MB limit', async () => {
    const ten = await streamBody(port, {
      path: '/pipelines/pred_iris/main',
      totalBytes: 10 * MB,
      chunked: true,
    })
    expect(ten.status).toBe(413)
    expect(JSON.parse(ten.body)).toStrictEqual({
      error: { code: 'BODY_TOO_LARGE', message: tooLarge('pred_iris') },
    })
    const fifty = await streamBody(port, {
      path: '/pipelines/pred_iris/main',
      totalBytes: 50 * MB,
      chunked: true,
    })
    expect(fifty.status).toBe(413)
    // Socket buffers hold a few MB; a server reading to the end would take all 50 MB first.
    expect(fifty.bytesSentBeforeAnswer).toBeLessThan(16 * MB)
  })

  it.each([
    ['404 (no such route)', 'POST /nowhere', true, 404],
    ['405 (GET on a POST route)', 'GET /pipelines/pred_iris/main', true, 405],
    ['413 (a declared 100 MB)', 'POST /pipelines/pred_iris/main', false, 413],
    ['421 (a rebinding Host)', 'POST /pipelines/pred_iris/main', true, 421],
    ['200 (a GET with a body)', 'GET /health_check', true, 200],
  ] as const)(
    'after an early answer the connection is closed, not read to its end: %s',
    async (what, line, chunked, status) => {
      const host = what.startsWith('421') ? 'rebound.attacker.example' : '127.0.0.1'
      const length = chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${100 * MB}`
      const head = `${line} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n${length}`
      const r = await endlessBody(port, head, { chunked, capBytes: 64 * MB, timeoutMs: 15_000 })
      expect({ status: r.status, connection: r.connection, closedByServer: r.closedByServer }).toEqual({
        status,
        connection: 'close',
        closedByServer: true,
      })
      // Socket buffers take a few MB; a server that kept reading would take all 64 MB.
      expect(r.bytesSent).toBeLessThan(16 * MB)
    },
  )
})

/** GET /health_check on a new connection, again while the server still drops it over its cap. */
async function healthAfterFlood(port: number): Promise<{ status: number }> {
  const deadline = Date.now() + 5_000
  for (;;) {
    try {
      return await rawRequest(port, { path: '/health_check' })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET' || Date.now() > deadline) throw err
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

describe('2,000 slow sockets against a server limited to 1,024 open files', () => {
  let store: TempStore
  let server: ServerProcess
  const SLOW = 2_000

  beforeAll(async () => {
    store = await tempStore()
    server = await startServer(
      IRIS,
      { CHARIOTS_PATH: store.root('iris') },
      {
        openFiles: 1024,
        args: [
          '--headers-timeout-ms',
          '2000',
          '--request-timeout-ms',
          '4000',
          '--keep-alive-timeout-ms',
          '60000',
        ],
      },
    )
  })
  afterAll(async () => {
    await server?.stop()
    await store?.remove()
  })

  it('2,000 slow sockets do not make the store fail: train, save, load and predict answer 200 meanwhile', async () => {
    const port = portOf(server)
    // One kept-alive connection, open before the flood (the server caps connections, not requests).
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    expect((await postOn(agent, port, '/pipelines/is_odd/main', { pipeline_input: 3 })).status).toBe(200)

    const sockets: Socket[] = []
    const fates = { timedOut: 0, dropped: 0, other: [] as string[] }
    const ended: Promise<void>[] = []
    for (let batch = 0; batch < SLOW / 100; batch++) {
      const opened = Array.from({ length: 100 }, () => {
        const socket = connect(port, '127.0.0.1')
        sockets.push(socket)
        let text = ''
        socket.on('data', (d: Buffer) => {
          text += d.toString('latin1')
        })
        socket.on('error', () => undefined)
        ended.push(
          new Promise<void>((resolve) =>
            socket.once('close', () => {
              if (text === '') fates.dropped++
              else if (text.startsWith('HTTP/1.1 408') && text.includes('"code":"REQUEST_TIMEOUT"'))
                fates.timedOut++
              else fates.other.push(text.slice(0, 200))
              resolve()
            }),
          ),
        )
        // Headers that never finish: the slow-loris pattern.
        return new Promise<void>((resolve) => {
          socket.once('connect', () => {
            socket.write('POST /pipelines/train_iris/main HTTP/1.1\r\nHost: 127.0.0.1\r\n')
            resolve()
          })
          socket.once('close', () => resolve())
        })
      })
      await Promise.all(opened)
    }

    // Meanwhile, on the kept-alive connection, the whole walkthrough writes and reads the store.
    const steps: [string, unknown][] = [
      ['/pipelines/download_iris/main', { pipeline_input: null }],
      ['/pipelines/train_iris/main', { pipeline_input: null }],
      ['/pipelines/train_iris/save', null],
      ['/pipelines/pred_iris/load', null],
      ['/pipelines/pred_iris/main', { pipeline_input: [[1, 2, 3, 4]] }],
    ]
    for (const [path, body] of steps) {
      const answer = await postOn(agent, port, path, body)
      expect({ path, status: answer.status, body: answer.status === 200 ? 'ok' : answer.body }).toEqual({
        path,
        status: 200,
        body: 'ok',
      })
    }

    // Every slow socket ends: closed at once past the cap, or answered 408 JSON at the headers timeout.
    await Promise.race([Promise.all(ended), new Promise((r) => setTimeout(r, 30_000))])
    for (const s of sockets) s.destroy()
    agent.destroy()
    console.log(
      `[http-edge] ${SLOW} slow sockets: ${fates.dropped} closed at once (over the cap), ${fates.timedOut} answered 408`,
    )
    expect(fates.other).toEqual([])
    expect(fates.dropped + fates.timedOut).toBe(SLOW)
    expect(fates.dropped).toBeGreaterThan(0)
    expect(fates.timedOut).toBeGreaterThan(0)
    // New connections are taken again, and the server never ran out of file descriptors. The
    // server counts a connection gone when it sees the close, a moment after the client does: a
    // connection refused meanwhile (ECONNRESET, over the cap) is tried again, for at most 5 s.
    expect((await healthAfterFlood(port)).status).toBe(200)
    expect(server.output()).not.toMatch(/EMFILE|ENFILE/)
  })
})
