import { describe, expect, it } from 'vitest'
import { ChariotsError, ErrorCode, VersionError } from './chariots-error.js'

describe('ChariotsError', () => {
  it('takes the codes of ErrorCode, and a code of your own when its set is named', () => {
    // @ts-expect-error a code outside ErrorCode does not compile (the type-check of the tests fails on it)
    const typo = new ChariotsError('INVALID_GRAF', 'misspelt')
    expect(typo.code).toBe('INVALID_GRAF')
    const own = new ChariotsError<'QUOTA_EXCEEDED'>('QUOTA_EXCEEDED', 'no calls left today')
    expect(own).toBeInstanceOf(ChariotsError)
    expect(own.toJSON()).toEqual({ code: 'QUOTA_EXCEEDED', message: 'no calls left today' })
    class QuotaError extends ChariotsError<'QUOTA_EXCEEDED'> {
      constructor() {
        super('QUOTA_EXCEEDED', 'no calls left today')
      }
    }
    expect(new QuotaError()).toBeInstanceOf(ChariotsError)
    expect(new VersionError('old pca').code).toBe(ErrorCode.VERSION_INCOMPATIBLE)
  })
})
