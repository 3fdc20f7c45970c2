import { z } from 'zod'

/**
 * The JSON body of every error answer: `{ error: { code, message } }`, plus the error's `details`
 * when it has any (the nodes and versions of a `VersionError`, the issues of a bad input, …) and
 * `stack` in debug mode.
 *
 * @example
 * ```ts
 * ErrorBodyWire.parse({ error: { code: 'PIPELINE_NOT_FOUND', message: "pipeline 'x' is not served here" } })
 * ```
 */
export const ErrorBodyWire = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('facts about the error: node names, versions, issues'),
    stack: z.string().optional(),
  }),
})
/** The JSON body of every error answer (see {@link ErrorBodyWire}). */
export type ErrorBody = z.infer<typeof ErrorBodyWire>
