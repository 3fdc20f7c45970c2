import type { IncomingMessage } from 'node:http'
import { ChariotsError } from '@chariots/core'
import { type KnownErrorCode, ServerErrorCode } from '../errors/server-error-code.js'

/**
 * The `allowedHosts` option of `Chariots`: Host names a loopback server answers besides the
 * loopback ones (`'.example.com'` also allows every subdomain), or `true` to answer any Host.
 */
export type AllowedHosts = readonly string[] | true

/** What Hono's fetch receives as its second argument under @hono/node-server. */
interface NodeBindings {
  incoming?: IncomingMessage
}

/**
 * Whether a local socket address is a loopback one: 127.0.0.0/8, `::1`, or 127.x mapped in IPv6.
 *
 * @example
 * ```ts
 * isLoopbackAddress('::ffff:127.0.0.1') // true
 * ```
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)
}

/**
 * The host name of a `Host` header, lower case, without its port (`[::1]` keeps its brackets);
 * `null` when it is not a host name at all.
 *
 * @example
 * ```ts
 * hostnameOf('LocalHost:5000') // 'localhost'
 * hostnameOf('[::1]:5000') // '[::1]'
 * ```
 */
export function hostnameOf(host: string): string | null {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/i.exec(host.trim())
  return match ? match[1]!.toLowerCase() : null
}

/**
 * Whether a host name always means this machine, so DNS rebinding cannot use it: `localhost` and
 * its subdomains (RFC 6761), an IPv4 literal in 127.0.0.0/8, or `[::1]`.
 *
 * @example
 * ```ts
 * isLoopbackHostname('127.0.0.1') // true
 * isLoopbackHostname('attacker.example') // false
 * ```
 */
export function isLoopbackHostname(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  )
}

/** Whether `hostname` is in an allow-list (`.example.com` matches it and every subdomain). */
function isListed(hostname: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) => {
    const name = entry.trim().toLowerCase()
    if (name.startsWith('.')) return hostname === name.slice(1) || hostname.endsWith(name)
    return hostname === (hostnameOf(name) ?? name)
  })
}

/**
 * The guard against DNS rebinding: for a request that arrived on a loopback address (the
 * connection's local address, read from @hono/node-server's `incoming` socket), answers a
 * `HOST_NOT_ALLOWED` error unless its `Host` is a loopback name or address or in `allowedHosts`.
 * Requests with no socket (`app.request`, other runtimes) and requests to other addresses pass:
 * a page on another site can reach a loopback server only through a name it controls.
 *
 * @example
 * ```ts
 * const check = createHostCheck(() => ['models.internal'])
 * check(env) // undefined (allowed) or a ChariotsError (421)
 * ```
 */
export function createHostCheck(
  allowedHosts: () => AllowedHosts,
): (env: unknown) => ChariotsError<KnownErrorCode> | undefined {
  return (env) => {
    const incoming = (env as NodeBindings | undefined)?.incoming
    if (!incoming || !isLoopbackAddress(incoming.socket?.localAddress)) return undefined
    const allowed = allowedHosts()
    if (allowed === true) return undefined
    // An HTTP/1.0 request may have no Host: no browser sends one, so no rebinding either.
    const host = incoming.headers.host
    if (host === undefined || host === '') return undefined
    const hostname = hostnameOf(host)
    if (hostname !== null && (isLoopbackHostname(hostname) || isListed(hostname, allowed))) return undefined
    const shown = host.slice(0, 100)
    return new ChariotsError<KnownErrorCode>(
      ServerErrorCode.HOST_NOT_ALLOWED,
      `host '${shown}' is not allowed: this server listens on a loopback address and answers only ` +
        `localhost, 127.0.0.1 and [::1] there (a guard against DNS rebinding); to reach it by this name, ` +
        `add '${hostname ?? shown}' to the allowedHosts option of new Chariots, or pass ` +
        `--allowed-hosts ${hostname ?? shown} to chariots serve`,
    )
  }
}
