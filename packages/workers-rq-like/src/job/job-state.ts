import { JobStatus } from '@chariots/workers'

/**
 * The Chariots status of a BullMQ job state, or null when BullMQ does not know the job
 * (`'unknown'`: never existed or removed after its retention). A state this code does not know yet
 * reads as `deferred` rather than failing the fetch.
 *
 * @example
 * ```ts
 * toJobStatus('active')    // 'running'
 * toJobStatus('delayed')   // 'deferred'
 * toJobStatus('unknown')   // null
 * ```
 */
export function toJobStatus(state: string): JobStatus | null {
  switch (state) {
    case 'waiting':
    case 'wait':
    case 'prioritized':
      return JobStatus.queued
    case 'active':
      return JobStatus.running
    case 'completed':
      return JobStatus.done
    case 'failed':
      return JobStatus.failed
    case 'delayed':
    case 'waiting-children':
      return JobStatus.deferred
    case 'unknown':
    case '':
      return null
    default:
      return JobStatus.deferred
  }
}
