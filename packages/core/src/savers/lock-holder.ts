import { readFile } from 'node:fs/promises'

/** What a lock file of {@link FileSaver} holds. */
export interface LockHolder {
  pid: number
  /** The holder's process start time (Linux clock ticks since boot), so a reused pid is told apart. */
  start: string | null
  host: string
  nonce: string
  /** When the lock was taken (ms since the epoch). */
  at: number
}

/** Parses a lock file's text; null when it is not a lock holder. */
export function lockHolderOf(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>
    if (typeof v.pid !== 'number' || typeof v.host !== 'string' || typeof v.nonce !== 'string') return null
    return {
      pid: v.pid,
      start: typeof v.start === 'string' ? v.start : null,
      host: v.host,
      nonce: v.nonce,
      at: v.at ?? 0,
    }
  } catch {
    return null
  }
}

/** The start time of a process on this host (field 22 of /proc/<pid>/stat), or null where unknown. */
export async function processStartOf(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return fields[19] ?? null
  } catch {
    return null
  }
}

/** Whether the process that took the lock (same pid and start time) still runs on this host. */
export async function sameProcessAlive(holder: LockHolder): Promise<boolean> {
  if (holder.pid <= 0) return false
  try {
    process.kill(holder.pid, 0)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  if (holder.start === null) return true
  const start = await processStartOf(holder.pid)
  return start === null || start === holder.start
}
