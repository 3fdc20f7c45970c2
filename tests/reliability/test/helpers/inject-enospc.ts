import { open, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { vi } from 'vitest'

/** A fault armed by {@link injectEnospc}. */
export interface InjectedFault {
  /** How many file writes went through `FileHandle.writeFile` since the fault was armed. */
  writes(): number
  /** Whether the fault fired. */
  fired(): boolean
  /** Puts the real `writeFile` back. */
  restore(): void
}

/**
 * Makes the `failOnWrite`-th `FileHandle.writeFile` from now (1 is the next one) write half its
 * bytes and then fail with `ENOSPC`, as a full disk does. `FileSaver` writes every file through a
 * file handle (a temp file, synced, then renamed or linked into place): a save's model bytes, its
 * lock file, the next index file and HEAD, in that order. This picks which write of a save fails,
 * which a real full disk (a small tmpfs, see store-faults) only approximates, and it works where
 * mounting is not allowed.
 *
 * @example
 * ```ts
 * const fault = await injectEnospc(1)
 * await expect(saver.save(bytes, '/models/x/v')).rejects.toThrow('ENOSPC')
 * fault.restore()
 * ```
 */
export async function injectEnospc(failOnWrite: number): Promise<InjectedFault> {
  // The FileHandle class is not exported: reach its prototype through a real handle.
  const probePath = join(tmpdir(), `chariots-fh-probe-${process.pid}-${Date.now()}`)
  const probe = await open(probePath, 'w')
  const proto = Object.getPrototypeOf(probe) as { writeFile(data: Uint8Array): Promise<void> }
  await probe.close()
  await unlink(probePath)
  const real = proto.writeFile
  let writes = 0
  let fired = false
  const spy = vi.spyOn(proto, 'writeFile').mockImplementation(async function (
    this: unknown,
    data: Uint8Array,
  ) {
    writes++
    if (writes !== failOnWrite) return real.call(this, data)
    fired = true
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    await real.call(this, bytes.subarray(0, Math.floor(bytes.length / 2)))
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      errno: -28,
      syscall: 'write',
    })
  })
  return { writes: () => writes, fired: () => fired, restore: () => spy.mockRestore() }
}
