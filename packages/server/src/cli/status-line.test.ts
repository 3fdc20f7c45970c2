import { describe, expect, it } from 'vitest'
import { formatStatus, StatusLine } from './status-line.js'

describe('formatStatus', () => {
  it('draws a numeric progress as a bar and a percentage, clamped to 0..1', () => {
    expect(formatStatus('running', 0.5)).toBe(`running [${'#'.repeat(12)}${'-'.repeat(12)}]  50%`)
    expect(formatStatus('done', 1.7)).toBe(`done [${'#'.repeat(24)}] 100%`)
    expect(formatStatus('running', -1)).toBe(`running [${'-'.repeat(24)}]   0%`)
  })

  it('shows an object progress as short JSON, and no progress as the status alone', () => {
    expect(formatStatus('running', { epoch: 2 })).toBe('running {"epoch":2}')
    expect(formatStatus('running', { text: 'x'.repeat(100) })).toHaveLength('running '.length + 60)
    expect(formatStatus('queued', null)).toBe('queued')
  })
})

describe('StatusLine', () => {
  const sink = (isTTY: boolean) => {
    const chunks: string[] = []
    return { chunks, stream: { isTTY, write: (t: string) => chunks.push(t) } }
  }

  it('redraws one line in place on a terminal and ends it with a newline', () => {
    const { chunks, stream } = sink(true)
    const line = new StatusLine(stream)
    line.update('queued')
    line.update('queued')
    line.update('done')
    line.done()
    expect(chunks).toEqual(['\r\x1b[2Kqueued', '\r\x1b[2Kdone', '\n'])
  })

  it('writes a plain line per change elsewhere', () => {
    const { chunks, stream } = sink(false)
    const line = new StatusLine(stream)
    line.update('queued')
    line.update('queued')
    line.update('done')
    line.done()
    expect(chunks).toEqual(['queued\n', 'done\n'])
  })
})
