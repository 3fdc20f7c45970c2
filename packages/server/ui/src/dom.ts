/** Creates an element with attributes and children (text or elements). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string | null)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value)
  for (const child of children) if (child !== null) node.append(child)
  return node
}

/** The first 8 hex digits of a version (its major hash). */
export function short(version: string): string {
  return version.slice(0, 8)
}

/** JSON for an output box. */
export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2)
}
