import type { Announcement } from '@chariots/core'
import { describe, expect, it } from 'vitest'
import type { ToWorker } from './cluster-messages.js'
import { ClusterRelay, type RelayMember } from './cluster-relay.js'

/** A process as the relay sees it, keeping what it was sent. */
function member(id: number): RelayMember & { got: ToWorker[] } {
  const got: ToWorker[] = []
  return { id, got, send: (message) => got.push(message) }
}

const load = (id: string, pipeline: string, seq: number): Announcement => ({
  type: 'load',
  id,
  from: 'a',
  pipeline,
  pin: { mean: seq },
})

describe('ClusterRelay', () => {
  it('delivers an announcement to every other process that joined, and answers their outcomes', () => {
    const relay = new ClusterRelay()
    const [a, b, c] = [member(1), member(2), member(3)]
    relay.receive(b, { chariots: 'join', replica: 'b' })
    relay.receive(c, { chariots: 'join', replica: 'c' })
    relay.receive(a, { chariots: 'announce', message: load('m1', 'predict', 1), timeoutMs: 10_000 })
    expect(a.got).toEqual([])
    expect(b.got.at(-1)).toEqual({ chariots: 'deliver', message: load('m1', 'predict', 1) })
    relay.receive(b, { chariots: 'outcome', to: 'm1', outcome: { replica: 'b', status: 'loaded' } })
    expect(a.got).toEqual([])
    relay.leave(c.id) // an exited process is not waited for
    expect(a.got).toEqual([
      { chariots: 'outcomes', to: 'm1', outcomes: [{ replica: 'b', status: 'loaded' }] },
    ])
  })

  it('gives a process that joins later the last load of each pipeline, oldest first', () => {
    const relay = new ClusterRelay()
    const a = member(1)
    relay.receive(a, { chariots: 'announce', message: load('m1', 'predict', 1), timeoutMs: 0 })
    relay.receive(a, { chariots: 'announce', message: load('m2', 'other', 4), timeoutMs: 0 })
    relay.receive(a, { chariots: 'announce', message: load('m3', 'predict', 2), timeoutMs: 0 })
    const late = member(2)
    relay.receive(late, { chariots: 'join', replica: 'late' })
    expect(late.got).toEqual([
      { chariots: 'joined', log: [load('m2', 'other', 4), load('m3', 'predict', 2)] },
    ])
  })
})
