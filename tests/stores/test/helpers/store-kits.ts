import {
  createStoreKit,
  type RunningPostgres,
  type RunningS3,
  type StoreKind,
  type StoreKit,
  startPostgres,
  startS3,
} from '@chariots/testing'
import { afterAll, afterEach, beforeAll } from 'vitest'

/**
 * Starts one PostgreSQL and one S3 server for the calling file, and answers a function that makes
 * an empty store of a kind for the current test (disposed after it).
 */
export function useStoreKits(): (kind: StoreKind) => Promise<StoreKit> {
  let postgres: RunningPostgres | undefined
  let s3: RunningS3 | undefined
  const kits: StoreKit[] = []
  beforeAll(async () => {
    ;[postgres, s3] = await Promise.all([startPostgres({ fast: true }), startS3()])
  })
  afterEach(async () => {
    for (const kit of kits.splice(0)) await kit.dispose()
  })
  afterAll(async () => {
    await Promise.all([postgres?.stop(), s3?.stop()])
  })
  return async (kind) => {
    const kit = await createStoreKit(kind, { ...(postgres ? { postgres } : {}), ...(s3 ? { s3 } : {}) })
    kits.push(kit)
    return kit
  }
}
