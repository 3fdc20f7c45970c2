// Importing this package sets TF.js's PROD flag, which silences its console output (see quiet-tfjs.ts).

// Fit callbacks: what `fitParams.callbacks` holds

export type { TFJSCallback } from './fit-callbacks.js'

// Model IO: layers models to and from bytes, in memory

export type { SerializeLayersModelOptions } from './model-io.js'
export { loadLayersModel, serializeLayersModel } from './model-io.js'

// Ops

export type { TFJSFitParams } from './tfjs-op.js'
export { TFJSOp } from './tfjs-op.js'
