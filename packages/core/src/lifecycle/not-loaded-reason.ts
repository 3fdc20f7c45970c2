import type { Pipeline } from '../pipeline/pipeline.js'
import type { MissingState } from './version-rule.js'

/**
 * Why a pipeline is not loadable yet, and what to do: names each node without a saved state for
 * its code and, when known, the pipelines that train it.
 *
 * @example
 * ```ts
 * notLoadedReason(pred, [{ node: 'pca', otherCode: 0 }], ['train_iris'])
 * // "pipeline 'pred_iris' is not loaded: node 'pca' has no saved state yet; train and save 'train_iris' first"
 * ```
 */
export function notLoadedReason(
  pipeline: Pipeline,
  missing: readonly MissingState[],
  trainers: readonly string[] = [],
): string {
  const nodes = missing
    .map((m) =>
      m.otherCode > 0
        ? `node '${m.node}' has no saved state for its current code (${m.otherCode} from other code)`
        : `node '${m.node}' has no saved state yet`,
    )
    .join(', ')
  const fix =
    trainers.length > 0
      ? `train and save ${trainers.map((t) => `'${t}'`).join(' or ')} first`
      : 'run and save the pipeline that trains it first'
  return `pipeline '${pipeline.name}' is not loaded: ${nodes}; ${fix}`
}
