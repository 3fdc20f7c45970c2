import cluster, { type Worker } from 'node:cluster'
import { ChariotsError } from '@chariots/core'
import type { Logger } from 'pino'
import { serveHints } from '../cli/serve-hints.js'
import { type KnownErrorCode, ServerErrorCode } from '../errors/server-error-code.js'
import { type FromWorker, isClusterMessage, type WorkerReady } from './cluster-messages.js'
import { ClusterRelay, type RelayMember } from './cluster-relay.js'

/** Options of a {@link ClusterPrimary}. */
export interface ClusterPrimaryOptions {
  /** How many processes serve. */
  workers: number
  /** The address they listen on, for the logs and hints. */
  host: string
  logger: Logger
  /** How long a new process may take to be ready (its app loaded, its start-up load done). */
  startTimeoutMs: number
  /** How long a process may take to stop after SIGTERM or a retire, before it is killed. */
  stopTimeoutMs: number
}

/** One forked process. */
interface Proc {
  readonly worker: Worker
  readonly pid: number
  ready: WorkerReady | undefined
  /** It was told to stop (a retire, the shutdown): its exit is no crash. */
  stopping: boolean
  /** What it said when it could not start. */
  failure: { code: string; message: string } | undefined
  readonly exited: Promise<void>
  /** Settles the promise of {@link ClusterPrimary.spawn}. */
  started?: (err?: ChariotsError<KnownErrorCode>) => void
}

/**
 * The primary of `chariots serve --workers N`: it forks N processes that each load the app and
 * listen on one port (node:cluster hands connections out), relays announcements between them
 * ({@link ClusterRelay}) and restarts them. It never loads the app itself.
 *
 * - A process is ready once it listens, after its start-up load and its replay of the loads the
 *   others had (it answers no request before).
 * - One that exits unexpectedly is replaced (after 1 s, doubling to 30 s while replacements fail).
 * - SIGHUP restarts them one at a time: start a new one, wait until it is ready, then retire an
 *   old one (it stops accepting, finishes its requests, answering them `Connection: close`, and
 *   exits). A new one that does not start stops the restart; the old ones keep serving.
 * - SIGTERM or SIGINT stop every process gracefully, then the primary exits 0.
 *
 * @example
 * ```ts
 * await new ClusterPrimary({ workers: 2, host: '127.0.0.1', logger, startTimeoutMs: 120_000, stopTimeoutMs: 40_000 }).start()
 * ```
 */
export class ClusterPrimary {
  readonly #options: ClusterPrimaryOptions
  readonly #relay = new ClusterRelay()
  readonly #procs = new Map<number, Proc>()
  #stopping = false
  #started = false
  #restarting = false
  #restartAgain = false
  #replaceDelayMs = 1_000

  constructor(options: ClusterPrimaryOptions) {
    this.#options = options
  }

  /** The processes that serve now. */
  get serving(): number[] {
    return [...this.#procs.values()].filter((p) => p.ready && !p.stopping).map((p) => p.pid)
  }

  /**
   * Forks the processes and resolves once every one is ready; a process that cannot start (its
   * module does not load, the port is taken) stops the others and rejects with its error.
   */
  async start(): Promise<void> {
    cluster.on('message', (worker, message) => this.#receive(worker, message))
    cluster.on('exit', (worker, code, signal) => this.#exited(worker, code, signal))
    // Registered first: a SIGTERM while the processes start stops them gracefully too.
    process.on('SIGTERM', () => void this.stop('SIGTERM'))
    process.on('SIGINT', () => void this.stop('SIGINT'))
    process.on('SIGHUP', () => {
      if (this.#started) void this.restart()
      else
        this.#options.logger.warn('SIGHUP while the processes start: ignored; send it again once they serve')
    })
    const { logger, workers, host } = this.#options
    const started = await Promise.allSettled(Array.from({ length: workers }, () => this.#spawn()))
    if (this.#stopping) return // stop() exits once they are stopped
    const failed = started.find((r) => r.status === 'rejected')
    if (failed) {
      await this.#stopAll()
      throw failed.reason
    }
    const ready = (started[0] as PromiseFulfilledResult<Proc>).value.ready!
    const url = `http://${host}:${ready.port}`
    logger.info(
      {
        url,
        port: ready.port,
        processes: workers,
        pids: this.serving,
        store: ready.store,
        inStepBy: ready.inStepBy,
      },
      'chariots listening',
    )
    this.#warnAbout(ready)
    process.stderr.write(`${serveHints(url, ready.pipelines, process.env.npm_config_user_agent)}\n`)
    this.#started = true
  }

  /** Restarts every process, one at a time (what SIGHUP does). */
  async restart(): Promise<void> {
    if (this.#stopping) return
    if (this.#restarting) {
      this.#restartAgain = true
      this.#options.logger.info('a restart is running; another one follows it')
      return
    }
    this.#restarting = true
    try {
      do {
        this.#restartAgain = false
        if (!(await this.#restartOnce())) return
      } while (this.#restartAgain && !this.#stopping)
    } finally {
      this.#restarting = false
    }
  }

  /** Stops every process gracefully, then exits 0 (SIGTERM, SIGINT). */
  async stop(signal: string): Promise<void> {
    if (this.#stopping) return
    this.#stopping = true
    const { logger } = this.#options
    logger.info({ signal, pids: [...this.#procs.values()].map((p) => p.pid) }, 'shutting down every process')
    await this.#stopAll()
    this.#relay.close()
    logger.info('bye')
    process.exit(0)
  }

  /** One pass of a rolling restart; false when it stopped because a new process did not start. */
  async #restartOnce(): Promise<boolean> {
    const { logger } = this.#options
    const old = [...this.#procs.values()].filter((p) => p.ready && !p.stopping)
    logger.info({ pids: old.map((p) => p.pid) }, 'SIGHUP: restarting the processes one at a time')
    for (const proc of old) {
      if (this.#stopping) return false
      if (!this.#procs.has(proc.worker.id)) continue // it died meanwhile and was replaced
      try {
        await this.#spawn()
      } catch (err) {
        if (this.#stopping) return false
        logger.error(
          { err, pids: this.serving },
          `restart stopped: a new process did not start (${(err as Error).message}); the running processes keep serving: fix the cause, then send SIGHUP again`,
        )
        return false
      }
      await this.#retire(proc)
    }
    logger.info({ pids: this.serving }, 'restart done: every process is new')
    return true
  }

  /** Forks one process; resolves once it is ready. */
  #spawn(): Promise<Proc> {
    const worker = cluster.fork({ CHARIOTS_CLUSTER_WORKER: String(process.pid) })
    const pid = worker.process.pid!
    const proc: Proc = {
      worker,
      pid,
      ready: undefined,
      stopping: false,
      failure: undefined,
      exited: new Promise((resolve) => worker.once('exit', () => resolve())),
    }
    this.#procs.set(worker.id, proc)
    const { startTimeoutMs } = this.#options
    return new Promise<Proc>((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.started?.(
          new ChariotsError<KnownErrorCode>(
            ServerErrorCode.PROCESS_START_FAILED,
            `process ${pid} was not ready within ${startTimeoutMs} ms (loading the app and its pipelines); raise CHARIOTS_START_TIMEOUT_MS if its start-up load takes longer`,
          ),
        )
        proc.stopping = true
        worker.process.kill('SIGKILL')
      }, startTimeoutMs)
      proc.started = (err) => {
        clearTimeout(timer)
        proc.started = undefined
        if (err) reject(err)
        else resolve(proc)
      }
    })
  }

  /** Retires one process: it stops accepting, finishes its requests and exits. */
  async #retire(proc: Proc): Promise<void> {
    proc.stopping = true
    proc.worker.send({ chariots: 'retire' }, undefined, {}, () => undefined)
    await this.#exitOrKill(proc)
  }

  async #stopAll(): Promise<void> {
    const procs = [...this.#procs.values()]
    for (const proc of procs) {
      proc.stopping = true
      if (proc.worker.process.exitCode === null) proc.worker.process.kill('SIGTERM')
    }
    await Promise.all(procs.map((p) => this.#exitOrKill(p)))
  }

  async #exitOrKill(proc: Proc): Promise<void> {
    const hard = setTimeout(() => {
      this.#options.logger.warn({ pid: proc.pid }, 'process did not stop in time: killing it')
      proc.worker.process.kill('SIGKILL')
    }, this.#options.stopTimeoutMs)
    await proc.exited
    clearTimeout(hard)
  }

  #receive(worker: Worker, message: unknown): void {
    this.#relay.receive(memberOf(worker), message)
    if (!isClusterMessage<FromWorker>(message)) return
    const proc = this.#procs.get(worker.id)
    if (!proc) return
    if (message.chariots === 'ready') {
      proc.ready = message.ready
      this.#replaceDelayMs = 1_000
      proc.started?.()
    } else if (message.chariots === 'failed') {
      proc.failure = { code: message.code, message: message.message }
    }
  }

  #exited(worker: Worker, code: number | null, signal: string | null): void {
    this.#relay.leave(worker.id)
    const proc = this.#procs.get(worker.id)
    if (!proc) return
    this.#procs.delete(worker.id)
    if (!proc.ready) {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`
      proc.started?.(
        new ChariotsError<KnownErrorCode>(
          (proc.failure?.code as KnownErrorCode | undefined) ?? ServerErrorCode.PROCESS_START_FAILED,
          proc.failure?.message ??
            `process ${proc.pid} ${how} before it was ready; its output above says why`,
        ),
      )
      return
    }
    if (proc.stopping || this.#stopping) return
    this.#options.logger.error(
      { pid: proc.pid, code, signal },
      `process ${proc.pid} exited unexpectedly; starting another in its place`,
    )
    void this.#replace()
  }

  /**
   * Starts a process in place of one that died, retrying with a growing delay while it fails; none
   * when N are already serving or starting (one that dies during a restart already has its
   * successor).
   */
  async #replace(): Promise<void> {
    while (!this.#stopping && this.#staying() < this.#options.workers) {
      try {
        const fresh = await this.#spawn()
        this.#options.logger.info({ pid: fresh.pid, pids: this.serving }, 'replacement process ready')
        return
      } catch (err) {
        const delayMs = this.#replaceDelayMs
        this.#replaceDelayMs = Math.min(30_000, delayMs * 2)
        this.#options.logger.error({ err, retryInMs: delayMs }, 'a replacement process did not start')
        await new Promise((r) => setTimeout(r, delayMs))
      }
    }
  }

  /** The processes that serve or start, and are not told to stop. */
  #staying(): number {
    return [...this.#procs.values()].filter((p) => !p.stopping).length
  }

  #warnAbout(ready: WorkerReady): void {
    const { logger } = this.#options
    if (ready.inStepBy === 'none') {
      logger.warn(
        'the app was built on a PipelineHost of its own without an announcer: a /load reaches one process only; give the host an announcer (or let new Chariots build the host) to keep every process in step',
      )
    }
    if (ready.jobsInProcess) {
      logger.warn(
        "the app's worker pool runs jobs inside each process (InProcessWorkerPool): a job is known only to the process that queued it, so fetching it through another one answers 404 JOB_NOT_FOUND; give the app an RQWorkerPool on Redis to share jobs between the processes",
      )
    }
  }
}

/** The relay's view of a cluster worker: a send that drops messages to a process that is gone. */
function memberOf(worker: Worker): RelayMember {
  return {
    id: worker.id,
    send: (message) => {
      if (worker.isConnected()) worker.send(message, undefined, {}, () => undefined)
    },
  }
}
