import type { Progress } from '@chariots/core'

/**
 * The progress a job response shows: what the op reported, or null when nothing (or 0) was
 * reported. BullMQ stores 0 for "no progress", so every pool reads 0 as null, and pools agree.
 *
 * @example
 * ```ts
 * normalizeProgress(0.5) // 0.5
 * normalizeProgress(0)   // null
 * ```
 */
export function normalizeProgress(progress: unknown): Progress | null {
  if (typeof progress === 'number') return progress === 0 || !Number.isFinite(progress) ? null : progress
  if (typeof progress === 'object' && progress !== null && !Array.isArray(progress)) {
    return progress as Record<string, unknown>
  }
  return null
}
