import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3'
import { BaseSaver, ChariotsError, ErrorCode, safePath } from '@chariots/core'

/** Options of an {@link S3Saver}. */
export interface S3SaverOptions {
  bucket: string
  /** A folder in the bucket every key goes under (default none). */
  prefix?: string
  /** A client of your own (then the options below are ignored). */
  client?: S3Client
  /** An S3-compatible server (`http://127.0.0.1:4569`); path-style addressing is then the default. */
  endpoint?: string
  /** Default `AWS_REGION`, else `us-east-1`. */
  region?: string
  /** Default: the AWS SDK's chain (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`, profiles, roles). */
  credentials?: S3ClientConfig['credentials']
  /** Address buckets as `<endpoint>/<bucket>` (default true with an endpoint, false on AWS). */
  forcePathStyle?: boolean
  /** How long a request may take before it fails with BACKEND_UNAVAILABLE (default 10 s). */
  requestTimeoutMs?: number
}

/**
 * A saver on S3-compatible object storage: each path is the key `<prefix>/<path>` in the bucket.
 * A PUT replaces an object whole, so readers see the old bytes or the new ones. The folder store
 * needs atomic exclusive writes across processes, which S3-compatible servers do not all
 * enforce: keep the index in PostgreSQL (`PostgresStore` with this saver) and the bytes here, where
 * they are content-addressed (`/models/<node>/<sha256>`), so concurrent saves never clash.
 * Network failures and 5xx answers are `BACKEND_UNAVAILABLE` (HTTP 503).
 *
 * @example
 * ```ts
 * const saver = new S3Saver({ bucket: 'models', prefix: 'iris' })
 * const store = new PostgresStore(process.env.CHARIOTS_STORE!, { saver })
 * ```
 */
export class S3Saver extends BaseSaver {
  readonly client: S3Client
  readonly bucket: string
  readonly prefix: string

  constructor(options: S3SaverOptions) {
    super()
    if (!options.bucket) {
      throw new ChariotsError(
        ErrorCode.INVALID_INPUT,
        'S3Saver needs a bucket: new S3Saver({ bucket: "models" })',
      )
    }
    this.bucket = options.bucket
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '')
    this.client =
      options.client ??
      new S3Client({
        region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 3_000, requestTimeout: options.requestTimeoutMs ?? 10_000 },
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
        ...(options.credentials ? { credentials: options.credentials } : {}),
      })
  }

  /**
   * A saver from a `s3://bucket/prefix` URL and the usual variables: `AWS_ENDPOINT_URL_S3` or
   * `AWS_ENDPOINT_URL` for an S3-compatible server, `AWS_REGION`, and the SDK's credentials.
   *
   * @example
   * ```ts
   * const saver = S3Saver.fromUrl('s3://models/iris') // bucket 'models', keys under 'iris/'
   * ```
   */
  static fromUrl(url: string, env: Record<string, string | undefined> = process.env): S3Saver {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url)
    if (!match) {
      throw new ChariotsError(
        ErrorCode.INVALID_INPUT,
        `'${url}' is not an S3 URL: write s3://<bucket>/<prefix> (CHARIOTS_BLOBS=s3://models/iris)`,
      )
    }
    const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env
    return new S3Saver({
      bucket: match[1]!,
      prefix: match[2] ?? '',
      ...(endpoint ? { endpoint } : {}),
      ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
      // From `env` when it names them; else the SDK's own chain (profiles, roles, process.env).
      ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    })
  }

  override get location(): string {
    return `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ''}`
  }

  async save(bytes: Uint8Array, path: string): Promise<void> {
    const Key = this.key(path)
    await this.send(
      `could not write '${Key}'`,
      new PutObjectCommand({ Bucket: this.bucket, Key, Body: bytes }),
    )
  }

  /** Writes only if nothing is there (checked first; S3 servers that honour If-None-Match also refuse a race). */
  override async saveExclusive(bytes: Uint8Array, path: string): Promise<boolean> {
    if (await this.exists(path)) return false
    const Key = this.key(path)
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key, Body: bytes, IfNoneMatch: '*' }),
      )
      return true
    } catch (err) {
      if (statusOf(err) === 412) return false
      throw s3Error(err, `could not write '${Key}' in ${this.location}`)
    }
  }

  async load(path: string): Promise<Uint8Array> {
    const Key = this.key(path)
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }))
      return await out.Body!.transformToByteArray()
    } catch (err) {
      if (isMissing(err)) {
        throw new ChariotsError(ErrorCode.NOT_FOUND, `no object at '${Key}' in ${this.location}`, {
          cause: err,
          details: { path },
        })
      }
      throw s3Error(err, `could not read '${Key}' in ${this.location}`)
    }
  }

  async exists(path: string): Promise<boolean> {
    const Key = this.key(path)
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }))
      return true
    } catch (err) {
      if (isMissing(err)) return false
      throw s3Error(err, `could not check '${Key}' in ${this.location}`)
    }
  }

  override async list(folder: string): Promise<string[]> {
    const inner = folder.replace(/^\/+|\/+$/g, '')
    const Prefix = `${[this.prefix, inner].filter((p) => p !== '').join('/')}${this.prefix || inner ? '/' : ''}`
    const names: string[] = []
    let ContinuationToken: string | undefined
    do {
      const out = await this.send<ListObjectsV2CommandOutput>(
        `could not list '${Prefix}'`,
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix, Delimiter: '/', ContinuationToken }),
      )
      for (const o of out.Contents ?? []) if (o.Key) names.push(o.Key.slice(Prefix.length))
      ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined
    } while (ContinuationToken)
    return names
  }

  override async delete(path: string): Promise<void> {
    const Key = this.key(path)
    await this.send(`could not delete '${Key}'`, new DeleteObjectCommand({ Bucket: this.bucket, Key }))
  }

  /** Every object under the prefix, with its ETag and time (for audits and tests: what changed). */
  async objects(): Promise<{ key: string; size: number; etag: string; lastModified: string }[]> {
    const Prefix = this.prefix ? `${this.prefix}/` : ''
    const found: { key: string; size: number; etag: string; lastModified: string }[] = []
    let ContinuationToken: string | undefined
    do {
      const out = await this.send<ListObjectsV2CommandOutput>(
        `could not list '${Prefix}'`,
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken }),
      )
      for (const o of out.Contents ?? []) {
        found.push({
          key: o.Key!.slice(Prefix.length),
          size: o.Size ?? 0,
          etag: o.ETag ?? '',
          lastModified: o.LastModified?.toISOString() ?? '',
        })
      }
      ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined
    } while (ContinuationToken)
    return found.sort((a, b) => a.key.localeCompare(b.key))
  }

  /** Closes the client's sockets. */
  async close(): Promise<void> {
    this.client.destroy()
  }

  /** The object key of a saver path (INVALID_PATH for one that leaves the root). */
  key(path: string): string {
    // Against a root of one segment, so that '..' climbing above it is refused, not clamped at '/'.
    const rel = safePath('/chariots', path).slice('/chariots/'.length)
    return this.prefix ? `${this.prefix}/${rel}` : rel
  }

  /** Sends a command (each has its own output type), naming `what` when it fails. */
  private async send<T>(what: string, command: any): Promise<T> {
    try {
      return (await this.client.send(command)) as T
    } catch (err) {
      throw s3Error(err, `${what} in ${this.location}`)
    }
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode
}

function isMissing(err: unknown): boolean {
  const name = (err as { name?: string })?.name
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(err) === 404
}

/** BACKEND_UNAVAILABLE when the server cannot be reached or answers 5xx; STORE_ERROR otherwise. */
function s3Error(err: unknown, what: string): ChariotsError {
  if (err instanceof ChariotsError) return err
  const status = statusOf(err)
  const code = (err as { code?: string; name?: string })?.code ?? (err as { name?: string })?.name ?? ''
  const message = err instanceof Error ? err.message : String(err)
  if (status === undefined || status >= 500) {
    return new ChariotsError(
      ErrorCode.BACKEND_UNAVAILABLE,
      `${what}: the object storage cannot be reached (${code || message}); start it or fix CHARIOTS_BLOBS and AWS_ENDPOINT_URL, then try again`,
      { cause: err, details: { backend: 's3', ...(status ? { status } : {}) } },
    )
  }
  const hint = status === 403 ? '; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY' : ''
  return new ChariotsError(ErrorCode.STORE_ERROR, `${what}: ${code || message} (HTTP ${status})${hint}`, {
    cause: err,
    details: { backend: 's3', status },
  })
}
