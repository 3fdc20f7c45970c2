import type { Node, Pipeline, Version } from '@chariots/core'

// Version strings are built once per Version object: a node's version object only changes when
// its op is trained or loaded, so most requests reuse the string.
const cache = new WeakMap<Node, { version: Version; text: string }>()

/**
 * Each top-level node's name → its version string, as the wire sends `versions`.
 *
 * @example
 * ```ts
 * versionsRecord(isOddPipeline()) // { isoddop: '<major>.<minor>.<patch>_<time>' }
 * ```
 */
export function versionsRecord(pipeline: Pipeline): Record<string, string> {
  const out: Record<string, string> = Object.create(null)
  for (const node of pipeline.nodes) {
    const version = node.version
    let hit = cache.get(node)
    if (hit?.version !== version) {
      hit = { version, text: version.toString() }
      cache.set(node, hit)
    }
    out[node.name] = hit.text
  }
  return out
}
