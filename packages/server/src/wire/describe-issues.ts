import type { z } from 'zod'

/**
 * The first `most` issues of a failed parse, one clause each, naming the field:
 * `field 'job_id': Invalid input: expected string, received number; body: …`.
 *
 * @example
 * ```ts
 * describeIssues(JobFetchBody.safeParse({ job_id: 3 }).error!.issues) // "field 'job_id': Invalid input: …"
 * ```
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], most = 5): string {
  return issues
    .slice(0, most)
    .map((i) => `${i.path.length ? `field '${i.path.map(String).join('.')}'` : 'body'}: ${i.message}`)
    .join('; ')
}
