import { isAbsolute, relative, resolve, sep } from 'node:path'
import { ChariotsError, ErrorCode } from '../errors/chariots-error.js'

/**
 * Resolves a saver path against `root`, refusing any path that would leave it: `..` segments that
 * climb out, backslashes, NUL bytes, and percent-encoded dots or slashes (so no later decoding can
 * turn a safe-looking path into a climbing one).
 */
export function safePath(root: string, path: string): string {
  const bad = (why: string): never => {
    throw new ChariotsError(
      ErrorCode.INVALID_PATH,
      `path '${String(path).slice(0, 200)}' is not allowed: ${why}; use a path relative to the store root without '..'`,
      { details: { path } },
    )
  }
  if (typeof path !== 'string' || path.length === 0) bad('it is empty')
  if (path.length > 1024) bad('it is longer than 1024 characters')
  if (path.includes('\0')) bad('it contains a NUL byte')
  if (path.includes('\\')) bad('it contains a backslash')
  if (/%(2e|2f|5c|00)/i.test(path)) bad('it contains a percent-encoded dot, slash or NUL')
  const rel = path.replace(/^\/+/, '')
  const full = resolve(root, rel)
  const r = relative(root, full)
  if (r === '' || r.startsWith(`..${sep}`) || r === '..' || isAbsolute(r)) bad('it leaves the store root')
  return full
}
