import { describe, expect, it } from 'vitest'
import { ChariotsError, VersionError } from './chariots-error.js'
import { PipelineNotLoadedError } from './pipeline-not-loaded-error.js'

describe('PipelineNotLoadedError', () => {
  it('is a ChariotsError with code PIPELINE_NOT_LOADED, told apart from VersionError', () => {
    const error = new PipelineNotLoadedError(
      "pipeline 'pred' is not loaded: train and save it, then load it",
      {
        details: { pipeline: 'pred' },
      },
    )
    expect(error).toBeInstanceOf(ChariotsError)
    expect(error).not.toBeInstanceOf(VersionError)
    expect(new VersionError('old pca')).not.toBeInstanceOf(PipelineNotLoadedError)
    expect(error.name).toBe('PipelineNotLoadedError')
    expect(error.code).toBe('PIPELINE_NOT_LOADED')
    expect(error.toJSON()).toEqual({
      code: 'PIPELINE_NOT_LOADED',
      message: "pipeline 'pred' is not loaded: train and save it, then load it",
      details: { pipeline: 'pred' },
    })
  })
})
