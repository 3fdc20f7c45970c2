import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ChildServer, retryOnPortClash, startChildServer } from './child-server.js'
import { freePort } from './free-port.js'

/** Options of {@link startS3}. */
export interface StartS3Options {
  /** Buckets to create at start-up (default `['chariots']`). */
  buckets?: string[]
  /** The address to listen on (default 127.0.0.1). */
  host?: string
  /** The port (default a free one on 127.0.0.1). */
  port?: number
  /** A command the server runs under, e.g. `['ip', 'netns', 'exec', 's3']`; it must exec its arguments. */
  prefix?: string[]
  /** How long to wait for the first answer (default 15 s). */
  timeoutMs?: number
}

/** An S3 API server started by {@link startS3}. */
export interface RunningS3 {
  /** `http://<host>:<port>`: the endpoint for `@aws-sdk/client-s3` (with `forcePathStyle: true`). */
  endpoint: string
  host: string
  port: number
  pid: number
  /** The access key and secret s3rver accepts. */
  credentials: { accessKeyId: string; secretAccessKey: string }
  region: string
  /** The environment variables an app reads (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, …). */
  env: Record<string, string>
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its folder. */
  stop(): Promise<void>
}

/**
 * Starts an S3 API server (s3rver, a real HTTP server speaking the S3 protocol, its objects in a
 * temporary folder) on 127.0.0.1 and a free port, with the buckets given; resolves once it
 * answers. It runs as a child process, stopped by its pid, and is killed when this process exits.
 * s3rver does not enforce conditional writes (`If-None-Match`): content-addressed keys are safe.
 *
 * @example
 * ```ts
 * const s3 = await startS3()
 * const saver = new S3Saver({ bucket: 'chariots', endpoint: s3.endpoint, credentials: s3.credentials })
 * // …
 * await s3.stop()
 * ```
 */
export async function startS3(options: StartS3Options = {}): Promise<RunningS3> {
  return retryOnPortClash(() => startOnce(options), options.port !== undefined)
}

async function startOnce(options: StartS3Options): Promise<RunningS3> {
  const host = options.host ?? '127.0.0.1'
  const port = options.port ?? (await freePort())
  const dir = await mkdtemp(join(tmpdir(), 'chariots-s3-'))
  const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js')
  const buckets = (options.buckets ?? ['chariots']).flatMap((b) => ['--configure-bucket', b])
  const args = ['-d', dir, '-a', host, '-p', String(port), '--silent', ...buckets]
  const endpoint = `http://${host}:${port}`
  let server: ChildServer
  try {
    server = await startChildServer({
      name: 's3rver',
      command: [...(options.prefix ?? []), process.execPath, bin, ...args],
      // Any HTTP answer (s3rver answers 403 to an unsigned request) means it listens. With a prefix
      // (another network namespace) this process may not reach it: the caller checks then.
      isReady: () =>
        fetch(endpoint, { signal: AbortSignal.timeout(500) }).then(
          () => true,
          () => false,
        ),
      readiness: `answer on ${endpoint}`,
      timeoutMs: options.timeoutMs ?? 15_000,
      pollMs: 50,
      fix: 'check that the s3rver package is installed and the port is free',
    })
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
  return {
    endpoint,
    host,
    port,
    pid: server.pid,
    credentials,
    region: 'us-east-1',
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stop: async () => {
      await server.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
