import { describe, expect, it } from 'vitest'
import { pruneReport, retentionOption } from './retention.js'

describe('retentionOption and pruneReport', () => {
  it('default to 10, keep false, and refuse anything but a whole number of 1 or more, naming the store', () => {
    expect(retentionOption('OpStore', undefined)).toBe(10)
    expect(retentionOption('OpStore', false)).toBe(false)
    expect(retentionOption('OpStore', 3)).toBe(3)
    expect(() => retentionOption('PostgresStore', 0)).toThrow(
      'PostgresStore retention must be a whole number of states per node (1 or more) or false, got 0',
    )
  })

  it('report what each node lost and kept', () => {
    const before = new Map([
      ['pca', 12],
      ['logistic', 3],
    ])
    expect(pruneReport(before, new Map([['pca', 10]]))).toEqual({
      removed: { pca: 2, logistic: 3 },
      kept: { pca: 10, logistic: 0 },
    })
  })
})
