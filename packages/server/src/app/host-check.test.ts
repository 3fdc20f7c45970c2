import { describe, expect, it } from 'vitest'
import { hostnameOf, isLoopbackAddress, isLoopbackHostname } from './host-check.js'

describe('host names and addresses', () => {
  it.each([
    ['localhost:5000', 'localhost'],
    ['LocalHost', 'localhost'],
    ['127.0.0.1:5000', '127.0.0.1'],
    ['[::1]:5000', '[::1]'],
    ['[::1]', '[::1]'],
    ['models.internal', 'models.internal'],
    ['a:b:c', null],
    ['[::1', null],
    ['', null],
  ])('hostnameOf(%j) is %j', (host, name) => {
    expect(hostnameOf(host)).toBe(name)
  })

  it('takes localhost, its subdomains, 127/8 and [::1] as loopback names, and nothing a DNS name can fake', () => {
    for (const name of ['localhost', 'app.localhost', '127.0.0.1', '127.1.2.3', '[::1]']) {
      expect(isLoopbackHostname(name)).toBe(true)
    }
    for (const name of ['localhost.evil.example', 'evil.example', '127.0.0.1.nip.io', '0.0.0.0', '[::]']) {
      expect(isLoopbackHostname(name)).toBe(false)
    }
  })

  it('takes 127/8, ::1 and IPv4-mapped 127/8 as loopback socket addresses', () => {
    for (const a of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1'])
      expect(isLoopbackAddress(a)).toBe(true)
    for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '::', undefined]) expect(isLoopbackAddress(a)).toBe(false)
  })
})
