import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Worker as Thread } from 'node:worker_threads'
import { ChariotsError, ErrorCode, type Progress } from '@chariots/core'
import type { JobOutcome } from '../job/job-body.js'
import type { JobRunner } from './job-runner.js'
import type { RunnerMessage, RunRequest } from './runner-messages.js'

const ENTRY = fileURLToPath(new URL('./runner-entry.js', import.meta.url))

/** Where a sandbox runs job bodies: a worker thread, or a child process. */
export type SandboxKind = 'thread' | 'process'

/** Options of a {@link SandboxRunner}. */
export interface SandboxRunnerOptions {
  kind: SandboxKind
  /** Absolute path of the app module the sandbox imports. */
  appModule: string
  env: NodeJS.ProcessEnv
  /** The JS heap limit of the thread or process, in MB (unset: Node's default). */
  memoryLimitMb?: number | undefined
}

/** A thread or a child process, as the runner talks to it. */
interface Channel {
  send(message: RunRequest): void
  kill(): Promise<void>
}

/**
 * A {@link JobRunner} in a worker thread (with `resourceLimits`) or a child process (with
 * `--max-old-space-size`) that imports the app module once and runs one job at a time. A body that
 * calls `process.exit`, crashes or runs out of memory ends only this runner: its job fails with
 * `WORKER_DIED`. A child process exits when its worker process goes away (also on SIGKILL).
 *
 * @example
 * ```ts
 * const runner = new SandboxRunner({ kind: 'thread', appModule: '/srv/app.js', env: process.env })
 * await runner.ready
 * ```
 */
export class SandboxRunner implements JobRunner {
  readonly ready: Promise<void>
  readonly stoppable = true
  dead = false
  private readonly channel: Channel
  private settleReady: { resolve(): void; reject(err: Error): void } | undefined
  private current: { resolve(outcome: JobOutcome): void; onProgress(progress: Progress): void } | undefined

  constructor(private readonly options: SandboxRunnerOptions) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = { resolve, reject }
    })
    this.ready.catch(() => undefined) // a spare that fails to start is reported to the job that needs it
    this.channel = options.kind === 'thread' ? this.openThread() : this.openProcess()
  }

  run(request: RunRequest, onProgress: (progress: Progress) => void): Promise<JobOutcome> {
    if (this.dead || this.current) {
      const why = this.dead ? 'had already exited' : 'was busy with another job'
      return Promise.resolve(died(`the ${this.what} for the job ${why}`))
    }
    return new Promise<JobOutcome>((resolve) => {
      this.current = { resolve, onProgress }
      try {
        this.channel.send(request)
      } catch (err) {
        this.current = undefined
        resolve({
          ok: false,
          error: {
            code: ErrorCode.INVALID_INPUT,
            message: `the job input cannot be sent to a ${this.what}: ${(err as Error).message}`,
          },
        })
      }
    })
  }

  async stop(): Promise<void> {
    this.dead = true
    await this.channel.kill()
  }

  private get what(): string {
    return this.options.kind === 'thread' ? 'worker thread' : 'child process'
  }

  private onMessage(message: RunnerMessage): void {
    if (message.type === 'ready') {
      this.settleReady?.resolve()
    } else if (message.type === 'init-failed') {
      this.dead = true
      void this.channel.kill()
      this.settleReady?.reject(new ChariotsError<string>(message.error.code, message.error.message))
    } else if (message.type === 'progress') {
      this.current?.onProgress(message.progress)
    } else {
      const current = this.current
      this.current = undefined
      current?.resolve(message.outcome)
    }
  }

  /** The thread or process ended: its job (if any) failed with WORKER_DIED. */
  private die(why: string): void {
    this.dead = true
    const message = `the ${this.what} running the job ${why}`
    this.settleReady?.reject(new ChariotsError(ErrorCode.WORKER_DIED, message))
    const current = this.current
    this.current = undefined
    current?.resolve(died(message))
  }

  private memoryNote(): string {
    const limit = this.options.memoryLimitMb
    return limit === undefined ? '' : ` (its heap limit, jobMemoryLimitMb, is ${limit} MB)`
  }

  private openThread(): Channel {
    const limit = this.options.memoryLimitMb
    const thread = new Thread(ENTRY, {
      workerData: { appModule: this.options.appModule },
      env: this.options.env,
      ...(limit === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: limit } }),
    })
    thread.on('message', (m: RunnerMessage) => this.onMessage(m))
    thread.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') this.die(`ran out of memory${this.memoryNote()}`)
      else this.die(`crashed: ${err.message}`)
    })
    thread.on('exit', (code) => this.die(`exited (code ${code})`))
    return {
      send: (message) => thread.postMessage(message),
      kill: async () => void (await thread.terminate()),
    }
  }

  private openProcess(): Channel {
    const limit = this.options.memoryLimitMb
    const child: ChildProcess = fork(ENTRY, [], {
      env: this.options.env,
      execArgv: [...process.execArgv, ...(limit === undefined ? [] : [`--max-old-space-size=${limit}`])],
      serialization: 'advanced',
    })
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.on('message', (m: RunnerMessage) => this.onMessage(m))
    child.on('error', (err) => this.die(`could not run: ${err.message}`))
    child.on('exit', (code, signal) => {
      const oom = signal === 'SIGABRT' || code === 134
      this.die(
        `exited (code ${code}, signal ${signal})${oom ? `: it crashed or ran out of memory${this.memoryNote()}` : ''}`,
      )
    })
    return {
      send: (message) => {
        child.send(message)
      },
      kill: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
        await exited
      },
    }
  }
}

function died(message: string): JobOutcome {
  return { ok: false, error: { code: ErrorCode.WORKER_DIED, message } }
}
