import { z } from 'zod'
import { VersionsWire } from './pipeline-call-wire.js'

/** The saved states a pipeline holds, by node: each one's save order (`seq`) and version. */
export const StatesWire = z.record(z.string(), z.object({ seq: z.number().int(), version: z.string() }))

/** What `POST /pipelines/:name/save` answers: the states written (empty when nothing changed) and the versions. */
export const SaveWire = z.object({
  saved: StatesWire.describe('the states written, by node (empty when nothing changed)'),
  versions: VersionsWire,
})
export type SaveWire = z.infer<typeof SaveWire>

/** What one other server of the app answered to a load it was told of. */
export const ReplicaOutcomeWire = z.object({
  replica: z.string(),
  status: z.enum(['loaded', 'refused', 'timeout']),
  states: StatesWire.optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
})

/**
 * What `POST /pipelines/:name/load` answers: 200 also when a node has no saved state yet
 * (`loaded: false` with the reason). With an announcer, `replicas` holds every other server's
 * outcome, and `in_step` whether each one loaded these states.
 */
export const LoadWire = z.object({
  loaded: z.boolean(),
  reason: z.string().optional().describe('why it is not loaded (no saved state yet), with the fix'),
  versions: VersionsWire,
  states: StatesWire,
  in_step: z
    .boolean()
    .optional()
    .describe('with an announcer: whether every other server of the app loaded these states'),
  replicas: z.array(ReplicaOutcomeWire).optional().describe("with an announcer: each other server's outcome"),
})
export type LoadWire = z.infer<typeof LoadWire>

/** A load that was refused: the states that were serving keep serving. */
export const LoadRefusalWire = z.object({
  at: z.string(),
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
})

/** What `GET /pipelines/:name/health_check` answers for a loaded pipeline (419 when not loaded). */
export const PipelineHealthWire = z.object({
  is_loaded: z.boolean(),
  refused: LoadRefusalWire.optional(),
  serving: z.string().optional(),
  loaded_at: z.string().nullable(),
  states: StatesWire,
})
export type PipelineHealthWire = z.infer<typeof PipelineHealthWire>

/** What `GET /health_check` answers: each pipeline's name → whether it is loaded. */
export const HealthCheckWire = z.record(z.string(), z.boolean())
export type HealthCheckWire = z.infer<typeof HealthCheckWire>

/** What `GET /available_pipelines` answers: the names of the pipelines served. */
export const AvailablePipelinesWire = z.array(z.string())
export type AvailablePipelinesWire = z.infer<typeof AvailablePipelinesWire>
