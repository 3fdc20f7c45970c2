import { execFileSync } from 'node:child_process'
import { randomBytes, randomInt } from 'node:crypto'

/** Hosts in network namespaces of their own, on one private switch, reachable from this process. */
export interface TestNetwork {
  /** The address of a host. */
  ip(host: string): string
  /** The command prefix that runs a program on a host (`ip netns exec <ns>`; it keeps the pid). */
  on(host: string): string[]
  /** Removes every namespace and veth this network made. */
  destroy(): void
}

/** Whether this process may make network namespaces (root, with iproute2). */
export function canMakeNetworks(): boolean {
  if (process.getuid?.() !== 0) return false
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/**
 * Makes one network namespace per host, each with a veth pair to a bridge in a namespace of its
 * own (the switch), and one veth from this (the root) namespace to the switch, so the test reaches
 * every host and the hosts reach each other, on a /24 of 10.x that no route here uses. Only
 * addresses of these namespaces are ever used; `destroy()` removes them all.
 */
export function createTestNetwork(hosts: readonly string[]): TestNetwork {
  const id = `c${randomBytes(2).toString('hex')}`
  const subnet = freeSubnet()
  const made: string[] = []
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] })
  const ns = (host: string) => `${id}-${host}`
  const addressOf = new Map(hosts.map((h, i) => [h, `${subnet}.${10 + i}`]))
  const destroy = () => {
    for (const name of made.reverse()) {
      try {
        ip('netns', 'del', name)
      } catch {
        // already gone
      }
    }
    try {
      ip('link', 'del', `${id}R`)
    } catch {
      // removed with the switch
    }
  }
  try {
    const sw = `${id}-sw`
    ip('netns', 'add', sw)
    made.push(sw)
    ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge')
    ip('-n', sw, 'link', 'set', 'br0', 'up')
    const plug = (side: string, peer: string) => {
      ip('link', 'set', peer, 'netns', sw)
      ip('-n', sw, 'link', 'set', peer, 'master', 'br0')
      ip('-n', sw, 'link', 'set', peer, 'up')
      return side
    }
    hosts.forEach((host, i) => {
      const name = ns(host)
      ip('netns', 'add', name)
      made.push(name)
      ip('link', 'add', `${id}${i}h`, 'type', 'veth', 'peer', 'name', `${id}${i}s`)
      plug(`${id}${i}h`, `${id}${i}s`)
      ip('link', 'set', `${id}${i}h`, 'netns', name)
      ip('-n', name, 'addr', 'add', `${addressOf.get(host)}/24`, 'dev', `${id}${i}h`)
      ip('-n', name, 'link', 'set', `${id}${i}h`, 'up')
      ip('-n', name, 'link', 'set', 'lo', 'up')
    })
    ip('link', 'add', `${id}R`, 'type', 'veth', 'peer', 'name', `${id}Rs`)
    plug(`${id}R`, `${id}Rs`)
    ip('addr', 'add', `${subnet}.1/24`, 'dev', `${id}R`)
    ip('link', 'set', `${id}R`, 'up')
  } catch (err) {
    destroy()
    throw err
  }
  return {
    ip: (host) => {
      const address = addressOf.get(host)
      if (!address) throw new Error(`no host '${host}' in this network`)
      return address
    },
    on: (host) => ['ip', 'netns', 'exec', ns(host)],
    destroy,
  }
}

/** A 10.x.y prefix no route of this namespace covers. */
function freeSubnet(): string {
  const routes = execFileSync('ip', ['-4', 'route'], { encoding: 'utf8' })
  for (;;) {
    const prefix = `10.${randomInt(200, 250)}.${randomInt(0, 256)}`
    if (!routes.includes(`${prefix}.`) && !routes.includes('10.0.0.0/8')) return prefix
  }
}
