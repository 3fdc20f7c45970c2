import { connect } from 'node:net'

/**
 * Whether a Redis server answers PING with PONG (within 500 ms); false while it is down or still
 * loading its data. Used to wait for a started or restarted `redis-server`.
 *
 * @example
 * ```ts
 * const redis = await startRedis()
 * await pingRedis(redis.port) // true
 * ```
 */
export function pingRedis(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host)
    let reply = ''
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.on('data', (d) => {
      reply += d
      // While it loads its append-only file, Redis answers -LOADING: not ready yet.
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
  })
}
