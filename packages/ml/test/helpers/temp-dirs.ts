import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

/**
 * Returns a function that makes a fresh folder under the OS temp folder; every folder it made is
 * removed after the calling file's tests.
 */
export function useTempDirs(prefix = 'chariots-ml-'): () => Promise<string> {
  const made: string[] = []
  afterAll(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), prefix))
    made.push(dir)
    return dir
  }
}
