/**
 * The iris example app. `chariots serve app.ts` serves it on 127.0.0.1:5000 with an in-process
 * worker pool (no Redis needed); with REDIS_URL set it uses BullMQ workers instead, which you start
 * with `chariots worker app.ts` on as many machines as you like: they share REDIS_URL and the store
 * CHARIOTS_STORE names (postgres://…, plus CHARIOTS_BLOBS=s3://… for the bytes in S3).
 */
import { createApp, defaultWorkerPool, storePath } from './create-app.js'

export const app = await createApp(storePath(), await defaultWorkerPool())
export default app

// On stderr, beside the CLI's own hints: where the models go, whichever folder the CLI started in.
console.error(
  process.env.CHARIOTS_STORE
    ? `Store: ${app.store.location} (CHARIOTS_STORE)`
    : `Store: ${storePath()} (CHARIOTS_PATH moves it)`,
)
