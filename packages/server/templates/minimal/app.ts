/**
 * The app. `chariots serve app.ts` serves it on 127.0.0.1:5000, its store in .chariots-data beside
 * this file (or CHARIOTS_PATH); worker calls run in this process (InProcessWorkerPool).
 */
import { createApp, storePath } from './create-app.js'

export const app = await createApp()
export default app

// On stderr, beside the CLI's own hints: where the models go, whichever folder the CLI started in.
console.error(
  process.env.CHARIOTS_STORE
    ? `Store: ${app.store.location} (CHARIOTS_STORE)`
    : `Store: ${storePath()} (CHARIOTS_PATH moves it)`,
)
