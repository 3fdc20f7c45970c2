import { describe, expect, it } from 'vitest'
import { parseVersions, pipelineResponseToWire, toPipelineResponse } from './pipeline-response.js'

const v = `${'a'.repeat(40)}.${'b'.repeat(40)}.${'c'.repeat(40)}_1764493200.123`

describe('toPipelineResponse', () => {
  it('reads a call and a job, and writes them back as the wire sent them', () => {
    const call = { pipeline_output: false, versions: { isoddop: v }, job_id: null, job_status: 'done' }
    const response = toPipelineResponse(call)
    expect(response).toMatchObject({ value: false, jobId: null, jobStatus: 'done' })
    expect(response.versions.get('isoddop')?.toString()).toBe(v)
    expect(pipelineResponseToWire(response)).toEqual(call)
    const job = {
      ...call,
      job_id: 'j',
      job_status: 'failed',
      progress: 0.5,
      error: { code: 'OP_FAILED', message: 'm' },
      worker_lost: false,
    }
    expect(pipelineResponseToWire(toPipelineResponse(job))).toEqual(job)
  })

  it('refuses an answer of another shape with INVALID_RESPONSE, naming the field', () => {
    const bad = { pipeline_output: 1, versions: {}, job_id: null, job_status: 'finished' }
    expect(() => toPipelineResponse(bad, 'POST /pipelines/p/main')).toThrow(
      expect.objectContaining({
        code: 'INVALID_RESPONSE',
        message: expect.stringMatching(
          /^the server answered POST \/pipelines\/p\/main with a body of another shape \(field 'job_status'/,
        ),
      }),
    )
    expect(() => toPipelineResponse('<html>')).toThrow(expect.objectContaining({ code: 'INVALID_RESPONSE' }))
    expect(() => parseVersions({ isoddop: 'v1' })).toThrow(
      expect.objectContaining({
        code: 'INVALID_RESPONSE',
        message: expect.stringContaining("field 'isoddop'"),
      }),
    )
  })
})
