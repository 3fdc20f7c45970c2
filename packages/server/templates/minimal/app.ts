/**
 * The app. `chariots serve app.ts` serves it on 127.0.0.1:5000, its store in ./.chariots-data
 * (or CHARIOTS_PATH); worker calls run in this process (InProcessWorkerPool).
 */
import { createApp } from './create-app.js'

export const app = createApp()
export default app
