import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger, logFormatFor } from './create-logger.js'

/** A writable that keeps what it was given, marked as a terminal or not. */
function sink(isTTY: boolean) {
  const chunks: string[] = []
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk))
        done()
      },
    }),
    { isTTY },
  )
  return { stream, text: () => chunks.join('') }
}

describe('logFormatFor', () => {
  it('is pretty on a terminal and JSON elsewhere, unless CHARIOTS_LOG_FORMAT says', () => {
    expect(logFormatFor(undefined, true)).toBe('pretty')
    expect(logFormatFor(undefined, false)).toBe('json')
    expect(logFormatFor('', false)).toBe('json')
    expect(logFormatFor('json', true)).toBe('json')
    expect(logFormatFor('pretty', false)).toBe('pretty')
    expect(() => logFormatFor('yaml', true)).toThrow(
      "CHARIOTS_LOG_FORMAT must be 'json' or 'pretty', got 'yaml'; unset it to choose by the terminal",
    )
  })
})

describe('createLogger', () => {
  it('writes one readable line per entry in the pretty format, one JSON object in the JSON format', () => {
    const pretty = sink(false)
    createLogger({ name: 'chariots', stream: pretty.stream, format: 'pretty' }).info(
      { port: 5000 },
      'listening',
    )
    expect(pretty.text()).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(chariots\): listening \{"port":5000\}\n$/,
    )
    const json = sink(false)
    createLogger({ name: 'chariots', stream: json.stream, format: 'json' }).info({ port: 5000 }, 'listening')
    expect(JSON.parse(json.text())).toMatchObject({
      level: 30,
      name: 'chariots',
      port: 5000,
      msg: 'listening',
    })
  })
})
