import { randomUUID } from 'node:crypto'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * A new job id: a random UUID, the shape every pool of this package generates.
 *
 * @example
 * ```ts
 * const id = newJobId() // '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed'
 * ```
 */
export function newJobId(): string {
  return randomUUID()
}

/**
 * Whether `id` has the shape of the job ids the pools generate (a lower-case UUID). The server
 * answers 400 for anything else before asking the pool.
 *
 * @example
 * ```ts
 * isValidJobId(newJobId()) // true
 * isValidJobId('../../etc') // false
 * ```
 */
export function isValidJobId(id: unknown): id is string {
  return typeof id === 'string' && UUID.test(id)
}
