// The DNS-rebinding guard over real sockets on 127.0.0.1: a Host header decides.
import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isOddPipeline } from '@chariots/testing'
import { serve } from '@hono/node-server'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Chariots, type ChariotsOptions } from '../src/index.js'
import { tempDir } from './helpers/transports.js'

interface Answer {
  status: number
  body: string
}

/** GET `path` on 127.0.0.1:`port` with exactly this Host header. */
function getWithHost(port: number, host: string, path = '/health_check'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('Host check on a loopback server', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  const servers: ReturnType<typeof serve>[] = []
  const start = async (options: ChariotsOptions = {}) => {
    const app = new Chariots([isOddPipeline()], { path: dir.path, ...options })
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    servers.push(server)
    return { app, port: (server.address() as AddressInfo).port }
  }

  beforeEach(async () => {
    dir = await tempDir()
  })
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      await new Promise<void>((resolve) => {
        s.close(() => resolve())
        ;(s as unknown as { closeAllConnections(): void }).closeAllConnections()
      })
    }
    await dir.remove()
  })

  it('answers Hosts that are loopback names or addresses, with any port', async () => {
    const { port } = await start()
    for (const host of [
      'localhost',
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      '127.8.9.10',
      '[::1]:80',
      'app.localhost',
    ]) {
      const res = await getWithHost(port, host)
      expect({ host, status: res.status }).toEqual({ host, status: 200 })
      expect(JSON.parse(res.body)).toEqual({ is_odd: true })
    }
  })

  it('answers 421 HOST_NOT_ALLOWED to a rebinding Host, on every route', async () => {
    const { port } = await start()
    for (const path of ['/health_check', '/pipelines/is_odd/health_check', '/nowhere']) {
      const res = await getWithHost(port, `attacker.example:${port}`, path)
      expect(res.status).toBe(421)
      expect(JSON.parse(res.body)).toStrictEqual({
        error: {
          code: 'HOST_NOT_ALLOWED',
          message: `host 'attacker.example:${port}' is not allowed: this server listens on a loopback address and answers only localhost, 127.0.0.1 and [::1] there (a guard against DNS rebinding); to reach it by this name, add 'attacker.example' to the allowedHosts option of new Chariots, or pass --allowed-hosts attacker.example to chariots serve`,
        },
      })
    }
    // A private address the attacker's DNS points at is refused too: only the Host decides.
    expect((await getWithHost(port, '192.168.1.20:5000')).status).toBe(421)
    expect((await getWithHost(port, 'localhost.attacker.example')).status).toBe(421)
  })

  it('answers the names of allowedHosts (a leading dot allows subdomains), and any Host with true', async () => {
    const { port, app } = await start({ allowedHosts: ['models.internal', '.corp.example'] })
    for (const host of ['models.internal', 'MODELS.internal:8080', 'corp.example', 'ml.corp.example']) {
      expect({ host, status: (await getWithHost(port, host)).status }).toEqual({ host, status: 200 })
    }
    for (const host of ['evilcorp.example', 'models.internal.evil.example']) {
      expect({ host, status: (await getWithHost(port, host)).status }).toEqual({ host, status: 421 })
    }
    // What `chariots serve --allowed-hosts` does: the list is read on each request.
    app.allowedHosts = [...(app.allowedHosts as string[]), 'late.example']
    expect((await getWithHost(port, 'late.example')).status).toBe(200)
    const open = await start({ allowedHosts: true })
    expect((await getWithHost(open.port, 'anything.example')).status).toBe(200)
  })

  it('does not apply without a socket (app.request has no connection to check)', async () => {
    const { app } = await start()
    const res = await app.request(new Request('http://attacker.example/health_check'))
    expect(res.status).toBe(200)
  })
})
