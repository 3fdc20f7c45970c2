import type { Pipeline } from '@chariots/core'
import { type ZodType, z } from 'zod'
import { wireComponents } from '../wire/wire-schemas.js'
import { JobFetchBody } from './body-schemas.js'
import { dashboardPaths } from './openapi-dashboard.js'

type JSONSchema = Record<string, unknown>
type Operation = Record<string, unknown>

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: JSONSchema) => ({ 'application/json': { schema } })
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { description: `error ${s}`, content: json(ref('Error')) }]),
  )

/** A zod schema as JSON Schema 2020-12 (what OpenAPI 3.1 embeds); `{}` (anything) when absent. */
function schemaOf(schema: ZodType | undefined, io: 'input' | 'output'): JSONSchema {
  if (!schema) return {}
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JSONSchema
  return rest
}

function mainRoute(p: Pipeline): Operation {
  return {
    post: {
      operationId: `call_${p.name}`,
      summary: `Run pipeline '${p.name}'${p.useWorker ? ' (in a worker)' : ''}`,
      tags: ['pipelines'],
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          properties: {
            pipeline_input: schemaOf(p.inputSchema, 'input'),
            use_worker: { type: ['boolean', 'null'] },
          },
        }),
      },
      responses: {
        200: {
          description: 'the output and the versions of the nodes; or a queued job',
          content: json({
            allOf: [
              ref('PipelineResponse'),
              { properties: { pipeline_output: schemaOf(p.outputSchema, 'output') } },
            ],
          }),
        },
        ...errors(400, 401, 404, 413, 415, 419, 500, 503),
      },
    },
  }
}

function nameParam(names: string[]) {
  return { name: 'name', in: 'path', required: true, schema: { type: 'string', enum: names } }
}

function pipelineRoute(
  names: string[],
  id: string,
  summary: string,
  ok: JSONSchema,
  method = 'post',
): Operation {
  const op: Record<string, unknown> = {
    operationId: id,
    summary,
    tags: ['pipelines'],
    parameters: [nameParam(names)],
    responses: {
      200: { description: 'ok', content: json(ok) },
      ...errors(400, 401, 404, ...(method === 'post' ? [413, 415] : []), 419, 500),
    },
  }
  if (method === 'post') {
    op.requestBody = {
      required: false,
      description:
        '`null` as application/json (what the Python client sends), or empty with the header X-Chariots: 1',
      content: json({ type: ['object', 'null'] }),
    }
  }
  return { [method]: op }
}

function jobRoutes(): Record<string, Operation> {
  const fetch = {
    post: {
      operationId: 'fetch_job',
      summary: 'The state of a worker job',
      tags: ['jobs'],
      requestBody: {
        required: true,
        content: json(schemaOf(JobFetchBody, 'input')),
      },
      responses: {
        200: { description: 'the job', content: json(ref('JobResponse')) },
        ...errors(400, 401, 404, 413, 415, 500, 503),
      },
    },
  }
  return {
    '/jobs/fetch/': fetch,
    '/jobs/{id}/wait': {
      get: {
        operationId: 'wait_for_job',
        summary: 'Holds until the job is done or failed, or the timeout; answers like /jobs/fetch/',
        tags: ['jobs'],
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'timeout_ms', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
        ],
        responses: {
          200: { description: 'the job', content: json(ref('JobResponse')) },
          ...errors(400, 401, 404, 500, 503),
        },
      },
    },
  }
}

// The shapes of the answers are the wire schemas (src/wire), which the routes answer and the client reads.
const components = () => ({
  schemas: wireComponents(),
  securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
})

/**
 * The OpenAPI 3.1 document of an app: every route, and each pipeline's main route with its input
 * and output schemas.
 *
 * @example
 * ```ts
 * const doc = buildOpenApi([isOddPipeline()], { auth: false })
 * doc.paths['/pipelines/is_odd/main']
 * ```
 */
export function buildOpenApi(pipelines: readonly Pipeline[], options: { auth: boolean }) {
  const names = pipelines.map((p) => p.name)
  const paths: Record<string, Operation> = {}
  for (const p of pipelines) paths[`/pipelines/${p.name}/main`] = mainRoute(p)
  paths['/pipelines/{name}/save'] = pipelineRoute(
    names,
    'save_pipeline',
    'Save the pipeline to the store',
    ref('SaveResponse'),
  )
  paths['/pipelines/{name}/load'] = pipelineRoute(
    names,
    'load_pipeline',
    'Reload the store and load the pipeline (200 with loaded: false and the reason when a node has no saved state yet)',
    ref('LoadResponse'),
  )
  paths['/pipelines/{name}/versions'] = pipelineRoute(
    names,
    'pipeline_versions',
    'The version of every node',
    ref('Versions'),
  )
  paths['/pipelines/{name}/health_check'] = pipelineRoute(
    names,
    'pipeline_health_check',
    'Whether the pipeline is loaded (419 with the reason when not)',
    ref('PipelineHealth'),
    'get',
  )
  Object.assign(paths, jobRoutes())
  Object.assign(paths, dashboardPaths(names))
  const get = (id: string, summary: string, schema: JSONSchema) => ({
    get: {
      operationId: id,
      summary,
      tags: ['app'],
      responses: { 200: { description: 'ok', content: json(schema) }, ...errors(401) },
    },
  })
  paths['/health_check'] = get(
    'health_check',
    "Whether each pipeline is loaded (?details: each one's status instead)",
    ref('HealthCheck'),
  )
  paths['/available_pipelines'] = get('available_pipelines', 'The names of the pipelines served', {
    type: 'array',
    items: { type: 'string', enum: names },
  })
  paths['/openapi.json'] = get('openapi', 'This document', { type: 'object' })
  return {
    openapi: '3.1.0',
    info: { title: 'Chariots', version: '0.1.0', description: `Pipelines: ${names.join(', ') || '(none)'}` },
    paths,
    components: components(),
    ...(options.auth ? { security: [{ bearer: [] }] } : {}),
  }
}
