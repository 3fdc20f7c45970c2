import { readFile } from 'node:fs/promises'

/** The resident memory of a process, from `/proc/<pid>/status`, in bytes. */
export interface ProcessMemory {
  /** `VmRSS`: resident now. */
  rss: number
  /** `VmHWM`: the highest resident size the process ever had (the kernel's high-water mark). */
  peak: number
}

/**
 * Reads `VmRSS` and `VmHWM` of `pid` (Linux).
 *
 * @example
 * ```ts
 * const { rss, peak } = await processMemory(server.pid)
 * ```
 */
export async function processMemory(pid: number): Promise<ProcessMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`)
    return Number(match[1]) * 1024
  }
  return { rss: kb('VmRSS'), peak: kb('VmHWM') }
}
