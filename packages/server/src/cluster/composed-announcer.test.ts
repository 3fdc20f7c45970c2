import type { Announcement, AnnounceOptions, Announcer, ReplicaOutcome } from '@chariots/core'
import { describe, expect, it } from 'vitest'
import { ComposedAnnouncer } from './composed-announcer.js'

/** An announcer that answers fixed outcomes and lets the test deliver messages to its handler. */
class Fixed implements Announcer {
  handler: ((message: Announcement) => Promise<ReplicaOutcome>) | undefined
  constructor(
    readonly replica: string,
    private readonly outcomes: ReplicaOutcome[] | Error,
  ) {}
  async announce(_message: Announcement, _options?: AnnounceOptions): Promise<ReplicaOutcome[]> {
    if (this.outcomes instanceof Error) throw this.outcomes
    return this.outcomes
  }
  async subscribe(handler: (message: Announcement) => Promise<ReplicaOutcome>): Promise<void> {
    this.handler = handler
  }
  async close(): Promise<void> {}
}

const message: Announcement = { type: 'load', id: 'm1', from: 'me', pipeline: 'p', pin: {} }

describe('ComposedAnnouncer', () => {
  it('merges the outcomes by replica: an answer on either transport beats a timeout on the other', async () => {
    const local = new Fixed('me', [{ replica: 'sibling', status: 'loaded' }])
    const crossHost = new Fixed('me', [
      { replica: 'sibling', status: 'timeout' },
      { replica: 'other-host', status: 'loaded' },
    ])
    expect(await new ComposedAnnouncer(local, crossHost).announce(message)).toEqual([
      { replica: 'other-host', status: 'loaded' },
      { replica: 'sibling', status: 'loaded' },
    ])
  })

  it('keeps the local outcomes when the other hosts cannot be reached, saying so', async () => {
    const local = new Fixed('me', [{ replica: 'sibling', status: 'loaded' }])
    const down = Object.assign(new Error('Redis cannot be reached'), { code: 'BACKEND_UNAVAILABLE' })
    const outcomes = await new ComposedAnnouncer(local, new Fixed('me', down)).announce(message)
    expect(outcomes).toEqual([
      {
        replica: '(the replicas reached through Fixed)',
        status: 'timeout',
        error: { code: 'BACKEND_UNAVAILABLE', message: 'not announced: Redis cannot be reached' },
      },
      { replica: 'sibling', status: 'loaded' },
    ])
  })

  it('handles a message heard on both transports once, answering both with its outcome', async () => {
    const local = new Fixed('me', [])
    const crossHost = new Fixed('me', [])
    let handled = 0
    await new ComposedAnnouncer(local, crossHost).subscribe(async () => {
      handled++
      return { replica: 'me', status: 'loaded' }
    })
    const [one, two] = await Promise.all([local.handler!(message), crossHost.handler!(message)])
    expect(handled).toBe(1)
    expect(one).toEqual({ replica: 'me', status: 'loaded' })
    expect(two).toBe(one)
  })
})
