import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TestClient } from '@chariots/testing'
import { serve } from '@hono/node-server'
import type { BaseClient, ClientOptions } from '../../src/client/index.js'
import { Client } from '../../src/client/index.js'

/** What a test needs of an app: Hono's fetch and request. */
export interface ServableApp {
  fetch: (request: Request, ...rest: any[]) => Response | Promise<Response>
  request: (request: Request) => Response | Promise<Response>
}

/** The public methods of a client (TestClient is built against the dist copy of BaseClient). */
export type AnyClient = { [K in keyof BaseClient]: BaseClient[K] }

/** A Response whose JSON body tests read without casts. */
export type JsonResponse = Omit<Response, 'json'> & { json(): Promise<any> }

/** An app opened through one transport. */
export interface Opened {
  client: AnyClient
  /** Sends a raw request (path relative to the app's root, basePath included). */
  raw(path: string, init?: RequestInit): Promise<JsonResponse>
  close(): Promise<void>
}

export interface OpenOptions extends ClientOptions {
  basePath?: string
}

/** One way to reach an app: in process through `app.request`, or over a real socket. */
export interface Transport {
  name: string
  open(app: ServableApp, options?: OpenOptions): Promise<Opened>
}

const inProcess: Transport = {
  name: 'TestClient (app.request)',
  async open(app, options = {}) {
    return {
      client: new TestClient(app, options),
      raw: async (path, init) => app.request(new Request(`http://localhost${path}`, init)),
      close: async () => {},
    }
  },
}

const overHttp: Transport = {
  name: 'Client (HTTP on 127.0.0.1)',
  async open(app, options = {}) {
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return {
      client: new Client(`${base}${options.basePath ?? ''}`, options),
      raw: (path, init) => fetch(`${base}${path}`, init),
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve())
          ;(server as unknown as { closeAllConnections(): void }).closeAllConnections()
        }),
    }
  },
}

/** Every transport; suites run once per transport with `describe.each(transports)`. */
export const transports: Transport[] = [inProcess, overHttp]

/** The regular expression of docs/WIRE.md for a version string. */
export const VERSION_RE = /^[0-9a-f]{40}\.[0-9a-f]{40}\.[0-9a-f]{40}_\d+(\.\d+)?$/

/** A fresh temporary folder, removed by the returned function. */
export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'chariots-server-'))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

/** A JSON POST request init. */
export function postJson(body: string | object | null, contentType = 'application/json'): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }
}
