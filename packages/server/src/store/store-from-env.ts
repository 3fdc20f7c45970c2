import { createHash } from 'node:crypto'
import { isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type Announcer,
  type BaseSaver,
  ChariotsError,
  ErrorCode,
  FileSaver,
  OpStore,
  type StateStore,
} from '@chariots/core'

/** Options of {@link storeFromEnv}. */
export interface StoreFromEnvOptions {
  /** Where to read the variables (default `process.env`). */
  env?: Record<string, string | undefined>
  /** The folder store's folder when `CHARIOTS_STORE` names none (default `.chariots-data`, against the working folder). */
  path?: string
}

/** What {@link storeFromEnv} answers: spread it into `new Chariots(pipelines, { ...stores })`. */
export interface EnvStore {
  store: StateStore
  /** Where data nodes' files go: the store's own saver. */
  saver: BaseSaver
  /** With PostgreSQL (LISTEN/NOTIFY) or `CHARIOTS_ANNOUNCE=redis://…`: a load reaches every server of the app. */
  announcer?: Announcer
  /** `CHARIOTS_AUTO_RELOAD=1`: a training job's save reloads what uses it on every server. */
  autoReload: boolean
}

/**
 * Picks the store from one URL, importing the optional packages only when they are needed:
 *
 * - `CHARIOTS_STORE` unset, a folder or `file://…`: the folder store (`CHARIOTS_PATH` or `path`
 *   when unset).
 * - `CHARIOTS_STORE=postgres://…`: metadata and bytes in PostgreSQL (`@chariots/store-postgres`),
 *   in the schema `CHARIOTS_STORE_SCHEMA` (default `chariots`), and loads announced to every
 *   server of the app.
 * - plus `CHARIOTS_BLOBS=s3://bucket/prefix`: the bytes in S3 (`@chariots/saver-s3`), with the
 *   usual `AWS_*` variables (`AWS_ENDPOINT_URL` for an S3-compatible server).
 * - `CHARIOTS_ANNOUNCE=redis://…`: loads reach every server through Redis pub/sub
 *   (`@chariots/announcer-redis`), for the folder store (several servers on one folder), or in
 *   place of PostgreSQL's LISTEN/NOTIFY.
 *
 * @example
 * ```ts
 * const app = new Chariots(pipelines, { ...(await storeFromEnv({ path: './app_data' })), workerPool })
 * ```
 */
export async function storeFromEnv(options: StoreFromEnvOptions = {}): Promise<EnvStore> {
  const env = options.env ?? process.env
  const url = env.CHARIOTS_STORE?.trim() ?? ''
  const blobs = env.CHARIOTS_BLOBS?.trim() ?? ''
  const autoReload = ['1', 'true', 'yes'].includes((env.CHARIOTS_AUTO_RELOAD ?? '').toLowerCase())
  if (!/^postgres(ql)?:\/\//.test(url)) {
    if (blobs !== '') {
      throw new ChariotsError(
        ErrorCode.INVALID_INPUT,
        `CHARIOTS_BLOBS=${blobs} needs the PostgreSQL store: set CHARIOTS_STORE=postgres://… too (the folder store keeps its bytes in its folder)`,
      )
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('file://')) {
      throw new ChariotsError(
        ErrorCode.INVALID_INPUT,
        `CHARIOTS_STORE=${url.replace(/\/\/[^@/]*@/, '//***@')} is not a store this app knows: use postgres://user@host:5432/db, a folder, or leave it unset`,
      )
    }
    const folder = url.startsWith('file://') ? fileURLToPath(url) : url || options.path || env.CHARIOTS_PATH
    const root = isAbsolute(folder ?? '') ? folder! : resolve(folder || '.chariots-data')
    const saver = new FileSaver(root)
    const store = new OpStore(saver)
    const announcer = await redisAnnouncer(env, store.location)
    return { store, saver, ...(announcer ? { announcer } : {}), autoReload }
  }
  const pg = await optional(
    () => import('@chariots/store-postgres'),
    '@chariots/store-postgres',
    'CHARIOTS_STORE=postgres://…',
  )
  let saver: BaseSaver | undefined
  if (blobs !== '') {
    if (!blobs.startsWith('s3://')) {
      throw new ChariotsError(
        ErrorCode.INVALID_INPUT,
        `CHARIOTS_BLOBS=${blobs} is not an S3 URL: write s3://<bucket>/<prefix>, or leave it unset to keep the bytes in PostgreSQL`,
      )
    }
    const s3 = await optional(
      () => import('@chariots/saver-s3'),
      '@chariots/saver-s3',
      'CHARIOTS_BLOBS=s3://…',
    )
    saver = s3.S3Saver.fromUrl(blobs, env)
  }
  const schema = env.CHARIOTS_STORE_SCHEMA?.trim()
  const db = new pg.PostgresConnection(url, schema ? { schema } : {})
  const store = new pg.PostgresStore(db, saver ? { saver } : {})
  const announcer = (await redisAnnouncer(env, store.location)) ?? new pg.PostgresAnnouncer(db)
  return { store, saver: store.saver, announcer, autoReload }
}

/**
 * `CHARIOTS_ANNOUNCE=redis://…`: loads reach every server through Redis pub/sub, on a channel of
 * the store (servers that share a store are one app; other apps on the same Redis never hear them).
 */
async function redisAnnouncer(
  env: Record<string, string | undefined>,
  location: string,
): Promise<Announcer | undefined> {
  const url = env.CHARIOTS_ANNOUNCE?.trim() ?? ''
  if (url === '') return undefined
  if (!/^rediss?:\/\//.test(url)) {
    throw new ChariotsError(
      ErrorCode.INVALID_INPUT,
      `CHARIOTS_ANNOUNCE=${url.replace(/\/\/[^@/]*@/, '//***@')} is not a Redis URL: write redis://host:6379, or leave it unset (PostgreSQL stores announce through PostgreSQL)`,
    )
  }
  const redis = await optional(
    () => import('@chariots/announcer-redis'),
    '@chariots/announcer-redis',
    'CHARIOTS_ANNOUNCE=redis://…',
  )
  const channel = `chariots:${createHash('sha256').update(location).digest('hex').slice(0, 16)}`
  return new redis.RedisAnnouncer(url, { channel })
}

async function optional<T>(load: () => Promise<T>, name: string, because: string): Promise<T> {
  try {
    return await load()
  } catch (cause) {
    const code = (cause as { code?: string }).code
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw cause
    throw new ChariotsError(
      ErrorCode.STORE_ERROR,
      `${because} needs the package ${name}, which is not installed: pnpm add ${name} (or npm install ${name})`,
      { cause },
    )
  }
}
