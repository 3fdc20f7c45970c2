import { JobStatus } from '@chariots/workers'
import { z } from 'zod'

/**
 * A version string as the wire sends it: `<major>.<minor>.<patch>_<creationTime>`, three 40-hex
 * SHA-1 digests and the creation time in seconds (docs/WIRE.md).
 */
export const VersionWire = z
  .string()
  .regex(
    /^[0-9a-f]{40}\.[0-9a-f]{40}\.[0-9a-f]{40}_[0-9.eE+-]+$/,
    'expected <major>.<minor>.<patch>_<creationTime>',
  )

/** Node name → version string (`POST /pipelines/:name/versions` answers one; so does every call). */
export const VersionsWire = z.record(z.string(), VersionWire)
export type VersionsWire = z.infer<typeof VersionsWire>

/** The status of a job, as {@link JobStatus} lists them: the one list of the wire's statuses. */
export const JobStatusWire = z.enum(JobStatus)

/**
 * What `POST /pipelines/:name/main` answers (docs/WIRE.md): the output and each node's version; for
 * a call in a worker, `pipeline_output: null`, `versions: {}` and the queued job's id.
 *
 * @example
 * ```ts
 * PipelineCallWire.parse({ pipeline_output: false, versions: {}, job_id: null, job_status: 'done' })
 * ```
 */
export const PipelineCallWire = z.object({
  pipeline_output: z.unknown(),
  versions: VersionsWire,
  job_id: z.string().nullable(),
  job_status: JobStatusWire,
})
export type PipelineCallWire = z.infer<typeof PipelineCallWire>

/** A job's error as the wire sends it once the job `failed`. */
export const JobErrorWire = z.object({ code: z.string(), message: z.string() })

/** The latest progress an op of a job reported: a fraction, or an object of the op's own. */
export const ProgressWire = z.union([z.number(), z.record(z.string(), z.unknown())])

/**
 * What `POST /jobs/fetch/` and `GET /jobs/:id/wait` answer, and the data of each event of
 * `GET /jobs/:id/events`: the shape of a call plus `progress`, `error` and `worker_lost` (extra keys
 * the Python client ignores). The three are optional so that a call's answer reads as a job too.
 */
export const JobWire = PipelineCallWire.extend({
  progress: ProgressWire.nullable().optional(),
  error: JobErrorWire.nullable().optional(),
  worker_lost: z
    .boolean()
    .optional()
    .describe('true while the job is queued or running and no live worker holds it'),
})
export type JobWire = z.infer<typeof JobWire>
