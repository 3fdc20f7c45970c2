import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { appendFile, chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ChariotsError, ErrorCode } from '@chariots/core'
import { type ChildServer, retryOnPortClash, startChildServer } from './child-server.js'
import { freePort } from './free-port.js'

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /** The folder of `initdb`, `postgres` and `pg_isready` (default `$POSTGRES_BIN`, else the newest `/usr/lib/postgresql/<n>/bin`). */
  binDir?: string
  /** The address to listen on (default 127.0.0.1). */
  host?: string
  /** The port (default a free one on 127.0.0.1). */
  port?: number
  /**
   * A command every PostgreSQL program runs under, e.g. `['ip', 'netns', 'exec', 'db']` to run it
   * in a network namespace. It must exec its arguments (keep the pid).
   */
  prefix?: string[]
  /** Turn off fsync (faster, for tests that never crash the machine). Default false. */
  fast?: boolean
  /** How long to wait for the server to accept connections (default 20 s). */
  timeoutMs?: number
}

/** A PostgreSQL server started by {@link startPostgres}. */
export interface RunningPostgres {
  /** `postgres://postgres@<host>:<port>/postgres` (trust authentication). */
  url: string
  host: string
  port: number
  /** The pid of the `postgres` process (changes after `startServer()`). */
  pid: number
  /** Stops the server (a fast shutdown) and keeps its data: PostgreSQL is down until `startServer()`. */
  stopServer(): Promise<void>
  /** Starts the server again on the same data, address and port. */
  startServer(): Promise<void>
  /** Stops the server and removes its folder. */
  stop(): Promise<void>
}

/**
 * Starts a real PostgreSQL (Debian's `postgresql` package): `initdb` into a temporary folder,
 * then `postgres` on 127.0.0.1 and a free port, resolved once it accepts connections. Run as
 * root (tests are), the programs run as the `postgres` user. The server is killed when this
 * process exits.
 *
 * @example
 * ```ts
 * const pg = await startPostgres()
 * const store = new PostgresStore(pg.url)
 * // …
 * await pg.stop()
 * ```
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<RunningPostgres> {
  return retryOnPortClash(() => startOnce(options), options.port !== undefined)
}

async function startOnce(options: StartPostgresOptions): Promise<RunningPostgres> {
  const bin = options.binDir ?? process.env.POSTGRES_BIN ?? newestBinDir()
  const host = options.host ?? '127.0.0.1'
  const port = options.port ?? (await freePort())
  const prefix = options.prefix ?? []
  const dir = await mkdtemp(join(tmpdir(), 'chariots-pg-'))
  // The postgres user must reach the data folder through this one (mkdtemp makes it 700).
  await chmod(dir, 0o755)
  const data = join(dir, 'data')
  const sockets = join(dir, 'sockets')
  await mkdir(data)
  await mkdir(sockets)
  const user = process.getuid?.() === 0 ? postgresUser() : undefined
  if (user) {
    await chown(data, user.uid, user.gid)
    await chown(sockets, user.uid, user.gid)
  }
  const asUser = user ? ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--'] : []
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' }
  const initdb = [...prefix, ...asUser, join(bin, 'initdb')]
  const initArgs = ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']
  const init = spawnSync(initdb[0]!, [...initdb.slice(1), ...initArgs], { env, encoding: 'utf8' })
  if (init.status !== 0) {
    await rm(dir, { recursive: true, force: true })
    throw new ChariotsError(
      ErrorCode.BACKEND_UNAVAILABLE,
      `initdb failed (${init.status ?? init.error?.message}); check the PostgreSQL install in ${bin}: ${init.stderr ?? ''}`.trim(),
    )
  }
  if (!/^127\.|^localhost$|^::1$/.test(host)) {
    // initdb trusts loopback only: trust the hosts of the network the server listens on too.
    await appendFile(join(data, 'pg_hba.conf'), '\nhost all all samenet trust\n')
  }
  const command = [...prefix, ...asUser, join(bin, 'postgres')]
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    sockets,
    '-c',
    `listen_addresses=${host}`,
    '-c',
    'max_connections=200',
    ...(options.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] : []),
  ]
  const isReady = [...prefix, join(bin, 'pg_isready'), '-h', host, '-p', String(port), '-q']
  let server: ChildServer | undefined
  const startServer = async () => {
    server = await startChildServer({
      name: 'postgres',
      command: [...command, ...args],
      env,
      isReady: () => spawnSync(isReady[0]!, isReady.slice(1)).status === 0,
      readiness: `accept connections on ${host}:${port}`,
      timeoutMs: options.timeoutMs ?? 20_000,
      pollMs: 50,
      stopSignal: 'SIGINT', // fast shutdown: aborts transactions, closes connections
      killAfterMs: 10_000,
      fix: 'check the PostgreSQL install (POSTGRES_BIN) and that the port is free',
    })
    running.pid = server.pid
  }
  const stopServer = async () => {
    await server?.stop()
  }
  const running: RunningPostgres = {
    url: `postgres://postgres@${host}:${port}/postgres`,
    host,
    port,
    pid: 0,
    stopServer,
    startServer,
    stop: async () => {
      await stopServer()
      await rm(dir, { recursive: true, force: true })
    },
  }
  try {
    await startServer()
  } catch (err) {
    await running.stop()
    throw err
  }
  return running
}

function newestBinDir(): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  if (versions.length === 0) {
    throw new ChariotsError(
      ErrorCode.BACKEND_UNAVAILABLE,
      'PostgreSQL is not installed: apt-get install -y postgresql (Debian), or set POSTGRES_BIN to the folder of initdb and postgres',
    )
  }
  return join(root, versions[0]!, 'bin')
}

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'))
  const [, , uid, gid] = line?.split(':') ?? []
  if (uid === undefined || gid === undefined) {
    throw new ChariotsError(
      ErrorCode.BACKEND_UNAVAILABLE,
      "there is no postgres user to run PostgreSQL as (it refuses to run as root): install Debian's postgresql package, or run the tests as another user",
    )
  }
  return { uid: Number(uid), gid: Number(gid) }
}
