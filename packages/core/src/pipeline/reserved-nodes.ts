/** The names of a pipeline's input and output slots. */
export const ReservedNodes = {
  pipelineInput: '__pipeline_input__',
  pipelineOutput: '__pipeline_output__',
} as const

export type ReservedNode = (typeof ReservedNodes)[keyof typeof ReservedNodes]

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects.
const NAME_RE = /^[^\s/\\\u0000-\u001f\u007f]{1,200}$/

/** Checks a pipeline or node name is usable in a URL and a store path; returns a problem or null. */
export function nameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    return 'names are 1 to 200 characters with no spaces, slashes, backslashes or control characters'
  }
  if (name === '.' || name === '..') return "names cannot be '.' or '..'"
  if (name === ReservedNodes.pipelineInput || name === ReservedNodes.pipelineOutput) {
    return `'${name}' is reserved for the pipeline's input and output`
  }
  return null
}
