import type { Progress } from '@chariots/core'
import type { JobData } from '@chariots/workers'

/**
 * What the pool needs of a BullMQ job to run it: its id, its data and a place for its progress.
 * A BullMQ `Job` is one.
 */
export interface QueuedJob {
  id?: string | undefined
  data: JobData
  updateProgress(progress: Progress): Promise<void>
}
