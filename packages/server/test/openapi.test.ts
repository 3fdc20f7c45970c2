import { BaseOp, Node, Pipeline, ReservedNodes } from '@chariots/core'
import { isOddPipeline } from '@chariots/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Chariots } from '../src/index.js'
import { type Opened, tempDir, transports } from './helpers/transports.js'

class ScaleOp extends BaseOp {
  static override opName = 'scaleop'
  execute(input: { x: number; factor?: number }) {
    return { y: input.x * (input.factor ?? 2) }
  }
}

describe.each(transports)('GET /openapi.json through $name', (transport) => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let opened: Opened | undefined
  beforeEach(async () => {
    dir = await tempDir()
  })
  afterEach(async () => {
    await opened?.close()
    await dir.remove()
  })

  it('describes every route and each pipeline main route with its input and output schemas', async () => {
    const scale = new Pipeline(
      [
        new Node(new ScaleOp(), {
          inputNodes: [ReservedNodes.pipelineInput],
          outputNodes: ReservedNodes.pipelineOutput,
        }),
      ],
      'scale',
      {
        input: z.object({ x: z.number(), factor: z.number().optional() }),
        output: z.object({ y: z.number() }),
      },
    )
    opened = await transport.open(new Chariots([isOddPipeline(), scale], { path: dir.path }))
    const res = await opened.raw('/openapi.json')
    expect(res.status).toBe(200)
    const doc = await res.json()
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/available_pipelines',
        '/events',
        '/health_check',
        '/jobs/fetch/',
        '/jobs/{id}/events',
        '/jobs/{id}/wait',
        '/openapi.json',
        '/pipelines/is_odd/main',
        '/pipelines/scale/main',
        '/pipelines/{name}/graph',
        '/pipelines/{name}/health_check',
        '/pipelines/{name}/load',
        '/pipelines/{name}/nodes/{node}/states',
        '/pipelines/{name}/plan',
        '/pipelines/{name}/plan/run',
        '/pipelines/{name}/save',
        '/pipelines/{name}/versions',
      ].sort(),
    )
    const main = doc.paths['/pipelines/scale/main'].post
    const input = main.requestBody.content['application/json'].schema.properties.pipeline_input
    expect(input).toMatchObject({
      type: 'object',
      properties: { x: { type: 'number' }, factor: { type: 'number' } },
      required: ['x'],
    })
    const output =
      main.responses['200'].content['application/json'].schema.allOf[1].properties.pipeline_output
    expect(output).toMatchObject({ type: 'object', properties: { y: { type: 'number' } }, required: ['y'] })
    expect(
      doc.paths['/pipelines/is_odd/main'].post.requestBody.content['application/json'].schema.properties
        .pipeline_input,
    ).toEqual({})
    expect(doc.paths['/pipelines/{name}/save'].post.parameters[0].schema.enum).toEqual(['is_odd', 'scale'])
    expect(Object.keys(main.responses)).toEqual(
      expect.arrayContaining(['200', '400', '404', '419', '500', '503']),
    )
    expect(doc.components.schemas.Error.properties.error.required).toEqual(['code', 'message'])
    expect(Object.keys(doc.paths['/pipelines/{name}/plan/run'])).toEqual(['post', 'get'])
    expect(doc.paths['/jobs/{id}/events'].get.responses['200'].content).toHaveProperty('text/event-stream')
    // The answers' shapes are the wire schemas the routes answer and the client reads.
    const okOf = (path: string, method = 'post') =>
      doc.paths[path][method].responses['200'].content['application/json'].schema
    expect(okOf('/pipelines/{name}/load')).toEqual({ $ref: '#/components/schemas/LoadResponse' })
    expect(Object.keys(doc.components.schemas.LoadResponse.properties)).toEqual(
      expect.arrayContaining(['loaded', 'reason', 'versions', 'states', 'in_step', 'replicas']),
    )
    expect(okOf('/pipelines/{name}/save')).toEqual({ $ref: '#/components/schemas/SaveResponse' })
    expect(okOf('/pipelines/{name}/health_check', 'get')).toEqual({
      $ref: '#/components/schemas/PipelineHealth',
    })
    expect(okOf('/jobs/fetch/')).toEqual({ $ref: '#/components/schemas/JobResponse' })
    expect(doc.components.schemas.JobStatus.enum).toEqual(['queued', 'running', 'done', 'failed', 'deferred'])
    expect(doc.components.schemas.PipelineResponse.required).toEqual([
      'pipeline_output',
      'versions',
      'job_id',
      'job_status',
    ])
  })
})
