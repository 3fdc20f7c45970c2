/**
 * The candidate closest to a mistyped `name`, for a "did you mean" hint: the smallest edit
 * distance (case ignored), if it is at most 2, or at most a third of the longer name; a candidate
 * that starts with `name`, or that `name` starts with, also counts when nothing closer does.
 * `undefined` when nothing is close.
 *
 * @example
 * ```ts
 * closestName('serv', ['new', 'serve', 'worker', 'call']) // 'serve'
 * closestName('zzz', ['serve']) // undefined
 * ```
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const wanted = name.toLowerCase()
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    const c = candidate.toLowerCase()
    const distance = editDistance(wanted, c)
    const limit = Math.max(2, Math.floor(Math.max(wanted.length, c.length) / 3))
    const prefix = wanted.length >= 2 && (c.startsWith(wanted) || wanted.startsWith(c))
    if ((distance <= limit || prefix) && distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/** Levenshtein distance, with a swap of two neighbours counting as one edit. */
function editDistance(a: string, b: string): number {
  if (a.length > 200 || b.length > 200) return Number.POSITIVE_INFINITY
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i])
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1)
      rows[i]![j] = d
    }
  }
  return rows[a.length]![b.length]!
}
