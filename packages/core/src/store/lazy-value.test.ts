import { describe, expect, it } from 'vitest'
import { LazyValue } from './lazy-value.js'

describe('LazyValue', () => {
  it('reads once for concurrent first uses, then answers the kept value', async () => {
    let reads = 0
    const value = new LazyValue(async () => ++reads)
    expect(await Promise.all([value.get(), value.get()])).toEqual([1, 1])
    expect(await value.get()).toBe(1)
    expect(reads).toBe(1)
  })

  it('reads again after a failed read, and a value set during a read wins over it', async () => {
    let fail = true
    let release: () => void = () => undefined
    const value = new LazyValue(async () => {
      if (fail) throw new Error('disk away')
      await new Promise<void>((resolve) => (release = resolve))
      return 1
    })
    await expect(value.get()).rejects.toThrow('disk away')
    fail = false
    const reading = value.get()
    await Promise.resolve()
    value.set(2) // a commit, newer than what the read brings back
    release()
    expect(await reading).toBe(2)
    expect(value.peek()).toBe(2)
  })
})
