import type { Server } from 'node:http'
import { Server as NetServer } from 'node:net'
import { ChariotsError } from '@chariots/core'
import type { Chariots } from '../app/chariots.js'
import { ServerErrorCode } from '../errors/server-error-code.js'
import { type FromWorker, isClusterMessage, type ToWorker, type WorkerReady } from './cluster-messages.js'
import { clusterAnnouncerIn } from './with-cluster-announcer.js'

/** The response header naming the process that answered, in `chariots serve --workers N`. */
export const PROCESS_HEADER = 'x-chariots-process'

/**
 * One process of `chariots serve --workers N`, as `chariots serve` runs it: it loads the app and
 * replays the loads the other processes had before it listens ({@link ClusterWorker.beforeListen}),
 * tells the primary it serves ({@link ClusterWorker.ready}) or why it could not start
 * ({@link ClusterWorker.fail}), names itself on every answer (`X-Chariots-Process: <pid>`), and
 * on the primary's `retire` stops accepting and drains ({@link ClusterWorker.drain}).
 *
 * @example
 * ```ts
 * const worker = new ClusterWorker()
 * await worker.beforeListen(app)
 * ```
 */
export class ClusterWorker {
  #draining = false

  /** Waits for the start-up load, then replays what the other processes loaded meanwhile. */
  async beforeListen(app: Chariots): Promise<void> {
    await app.ready()
    await clusterAnnouncerIn(app.host.replicas?.announcer)?.join()
  }

  /**
   * Names the process on every answer; once retiring, answers `Connection: close` so that clients
   * open their next connection to a process that serves (the primary hands those out).
   */
  mark(server: Server): void {
    const pid = String(process.pid)
    server.prependListener('request', (_req, res) => {
      res.setHeader(PROCESS_HEADER, pid)
      if (this.#draining) res.setHeader('connection', 'close')
    })
  }

  /** Tells the primary this process listens and serves. */
  async ready(ready: WorkerReady): Promise<void> {
    await send({ chariots: 'ready', ready })
  }

  /** Tells the primary why this process could not start (it prints it once), then exits 1. */
  async fail(err: unknown): Promise<never> {
    const known = err instanceof ChariotsError
    const code = known ? String(err.code) : ServerErrorCode.PROCESS_START_FAILED
    const message = known ? err.message : ((err as Error).stack ?? String(err))
    await send({ chariots: 'failed', code, message }).catch(() => undefined)
    process.exit(1)
  }

  /**
   * Calls `retire` on the primary's `retire` (a rolling restart); from then on, answers say
   * `Connection: close`.
   */
  onRetire(retire: () => void): void {
    const listener = (raw: unknown) => {
      if (!isClusterMessage<ToWorker>(raw) || raw.chariots !== 'retire') return
      process.off('message', listener)
      this.#draining = true
      retire()
    }
    process.on('message', listener)
  }

  /**
   * Stops accepting connections and resolves once every open one ended: what comes on them is
   * answered with `Connection: close`, and idle keep-alive ones end at the server's keep-alive
   * timeout, as always (closing them now would race a request a client is sending on one). After
   * `hardCloseMs` the rest are cut.
   */
  drain(server: Server, hardCloseMs: number): Promise<void> {
    this.#draining = true
    return new Promise((resolve) => {
      const hard = setTimeout(() => server.closeAllConnections(), hardCloseMs)
      // net.Server's close, not http.Server's: the latter also closes the idle connections at once.
      NetServer.prototype.close.call(server, () => {
        clearTimeout(hard)
        resolve()
      })
    })
  }
}

function send(message: FromWorker): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('this process has no IPC channel to the primary'))
    process.send(message, undefined, {}, (err: Error | null) => (err ? reject(err) : resolve()))
  })
}
