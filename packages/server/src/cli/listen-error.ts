import { ChariotsError } from '@chariots/core'
import { type KnownErrorCode, ServerErrorCode } from '../errors/server-error-code.js'

/**
 * A server's listen error as a one-line `LISTEN_FAILED` ChariotsError naming the address and the
 * flag that fixes it (the original error is its `cause`).
 *
 * @example
 * ```ts
 * listenError(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }), '127.0.0.1', 5000).message
 * // 'port 5000 on 127.0.0.1 is already in use (another chariots serve?); stop that process, or serve on another port with --port 5001'
 * ```
 */
export function listenError(err: Error, host: string, port: number): ChariotsError<KnownErrorCode> {
  const code = (err as NodeJS.ErrnoException).code
  const message =
    code === 'EADDRINUSE'
      ? `port ${port} on ${host} is already in use (another chariots serve?); stop that process, or serve on another port with --port ${port + 1}`
      : code === 'EACCES'
        ? `no permission to listen on port ${port} of ${host} (ports below 1024 need privileges); pick another one with --port 5000`
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? `cannot listen on ${host}: it is not an address of this machine; pass one that is with --host, e.g. --host 127.0.0.1`
          : `cannot listen on ${host}:${port}: ${err.message}; check --host and --port`
  return new ChariotsError<KnownErrorCode>(ServerErrorCode.LISTEN_FAILED, message, { cause: err })
}
