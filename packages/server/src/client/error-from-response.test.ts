import { ChariotsError, PipelineNotLoadedError, VersionError } from '@chariots/core'
import { describe, expect, it } from 'vitest'
import { errorFromResponse } from './error-from-response.js'

const body = (code: string, message: string, details?: Record<string, unknown>) => ({
  error: details === undefined ? { code, message } : { code, message, details },
})

describe('errorFromResponse', () => {
  it('gives "incompatible" and "not loaded" (both 419) distinct classes, from the body code', () => {
    const incompatible = errorFromResponse(
      419,
      body('VERSION_INCOMPATIBLE', "'logistic' was trained on old 'pca'"),
    )
    expect(incompatible).toBeInstanceOf(VersionError)
    expect(incompatible).not.toBeInstanceOf(PipelineNotLoadedError)
    expect(incompatible).toMatchObject({ name: 'VersionError', code: 'VERSION_INCOMPATIBLE' })

    const notLoaded = errorFromResponse(419, body('PIPELINE_NOT_LOADED', "pipeline 'pred' is not loaded"))
    expect(notLoaded).toBeInstanceOf(PipelineNotLoadedError)
    expect(notLoaded).not.toBeInstanceOf(VersionError)
    expect(notLoaded).toMatchObject({ name: 'PipelineNotLoadedError', code: 'PIPELINE_NOT_LOADED' })
    expect(notLoaded.message).toBe("pipeline 'pred' is not loaded")
  })

  it("puts the body's details on the error, with the HTTP status", () => {
    const details = { downstream: 'logistic', upstream: 'pca', current: 'a.b.c_1' }
    const error = errorFromResponse(419, body('VERSION_INCOMPATIBLE', 'old pca', details))
    expect(error.details).toEqual({ ...details, status: 419 })
    expect(errorFromResponse(400, body('INVALID_INPUT', 'bad', { issues: [] })).details).toEqual({
      issues: [],
      status: 400,
    })
    expect(errorFromResponse(500, body('OP_FAILED', 'boom')).details).toEqual({ status: 500 })
  })

  it('keeps any other code on a plain ChariotsError', () => {
    const error = errorFromResponse(404, body('PIPELINE_NOT_FOUND', "pipeline 'nope' is not served here"))
    expect(error).toBeInstanceOf(ChariotsError)
    expect(error).not.toBeInstanceOf(VersionError)
    expect(error).toMatchObject({ name: 'ChariotsError', code: 'PIPELINE_NOT_FOUND' })
    expect(errorFromResponse(500, body('MY_OWN_CODE', 'mine')).code).toBe('MY_OWN_CODE')
  })

  it('takes a code from the status when the body has none: 419 is a VersionError, as the Python client says', () => {
    const python = errorFromResponse(419, null, '<html>version error</html>')
    expect(python).toBeInstanceOf(VersionError)
    expect(python.code).toBe('VERSION_INCOMPATIBLE')
    expect(python.message).toBe('the server answered HTTP 419: <html>version error</html>')
    expect(errorFromResponse(404, null).code).toBe('NOT_FOUND')
    expect(errorFromResponse(502, { error: 'not an object' }).code).toBe('INTERNAL')
  })

  it('ignores details that are not an object', () => {
    expect(
      errorFromResponse(400, { error: { code: 'INVALID_BODY', message: 'm', details: [1] } }).details,
    ).toEqual({
      status: 400,
    })
  })
})
