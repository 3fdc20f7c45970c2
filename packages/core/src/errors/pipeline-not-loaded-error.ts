import { ChariotsError, type ChariotsErrorOptions, ErrorCode } from './chariots-error.js'

/**
 * A pipeline was called (or health-checked) before a consistent set of its saved states was
 * loaded: an op that needs saved state (an ML op in PREDICT mode) has none yet. Code
 * `PIPELINE_NOT_LOADED` (HTTP 419 in the server, like the Python original). Distinct from
 * {@link VersionError} (`VERSION_INCOMPATIBLE`): the fix here is to train and save, then load.
 *
 * @example
 * ```ts
 * try {
 *   await client.callPipeline('pred_iris', [[1, 2, 3, 4]])
 * } catch (e) {
 *   if (e instanceof PipelineNotLoadedError) await trainSaveAndLoad()
 * }
 * ```
 */
export class PipelineNotLoadedError extends ChariotsError<typeof ErrorCode.PIPELINE_NOT_LOADED> {
  override readonly name = 'PipelineNotLoadedError'
  constructor(message: string, options: ChariotsErrorOptions = {}) {
    super(ErrorCode.PIPELINE_NOT_LOADED, message, options)
  }
}
