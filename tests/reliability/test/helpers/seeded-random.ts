/**
 * A seeded pseudo-random generator (mulberry32), so a run that failed can be replayed with the
 * seed it printed. The seed comes from `CHARIOTS_RELIABILITY_SEED`, else from the clock.
 *
 * @example
 * ```ts
 * const rnd = seededRandom()
 * const ms = rnd.int(300, 1_200)
 * ```
 */
export function seededRandom(seed = Number(process.env.CHARIOTS_RELIABILITY_SEED ?? Date.now() % 2 ** 31)) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    seed,
    /** A float in [0, 1). */
    next,
    /** An integer in [min, max]. */
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    /** One element of a non-empty array. */
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  }
}
