import { z } from 'zod'
import { ErrorBodyWire } from './error-body-wire.js'
import { JobStatusWire, JobWire, PipelineCallWire, VersionsWire, VersionWire } from './pipeline-call-wire.js'
import {
  HealthCheckWire,
  LoadRefusalWire,
  LoadWire,
  PipelineHealthWire,
  ReplicaOutcomeWire,
  SaveWire,
  StatesWire,
} from './pipeline-route-wire.js'

type JSONSchema = Record<string, unknown>

/**
 * The wire's shapes by the name the OpenAPI document gives them (`#/components/schemas/<id>`):
 * where one schema holds another, the document refers to it by that name.
 */
export const wireSchemas = z.registry<{ id: string }>()
const NAMED = {
  Version: VersionWire,
  Versions: VersionsWire,
  JobStatus: JobStatusWire,
  PipelineResponse: PipelineCallWire,
  JobResponse: JobWire,
  States: StatesWire,
  SaveResponse: SaveWire,
  ReplicaOutcome: ReplicaOutcomeWire,
  LoadResponse: LoadWire,
  LoadRefusal: LoadRefusalWire,
  PipelineHealth: PipelineHealthWire,
  HealthCheck: HealthCheckWire,
  Error: ErrorBodyWire,
} satisfies Record<string, z.ZodType>
for (const [id, schema] of Object.entries(NAMED)) wireSchemas.add(schema, { id })

/**
 * The `components.schemas` of the OpenAPI document: each wire schema as JSON Schema 2020-12 (what
 * OpenAPI 3.1 embeds), as the server answers it.
 *
 * @example
 * ```ts
 * wireComponents().PipelineResponse.required // ['pipeline_output', 'versions', 'job_id', 'job_status']
 * ```
 */
export function wireComponents(): Record<string, JSONSchema> {
  const { schemas } = z.toJSONSchema(wireSchemas, {
    io: 'output',
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  })
  const components: Record<string, JSONSchema> = {}
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _schema, $id: _id, ...rest } = schema as JSONSchema
    components[id] = rest
  }
  return components
}
