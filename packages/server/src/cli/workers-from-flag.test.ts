import { availableParallelism } from 'node:os'
import { describe, expect, it } from 'vitest'
import { UsageError } from './usage-error.js'
import { workersFromFlag } from './workers-from-flag.js'

describe('workersFromFlag', () => {
  it('reads a number of processes, and auto as one per core', () => {
    expect(workersFromFlag('1')).toBe(1)
    expect(workersFromFlag('3')).toBe(3)
    expect(workersFromFlag('auto')).toBe(availableParallelism())
  })

  it.each(['0', '-1', 'abc', '1.5', '', '257'])('refuses %j, naming the flag and the fix', (text) => {
    expect(() => workersFromFlag(text)).toThrow(UsageError)
    expect(() => workersFromFlag(text)).toThrow(
      /--workers must be a number of processes from 1 to 256, or auto/,
    )
  })
})
