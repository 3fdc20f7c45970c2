/**
 * What `chariots serve` prints once listening: the pipelines it serves and a few commands to try.
 * The CLI is shown as the package manager that started the server runs it (`pnpm chariots`,
 * `npx chariots`), else as plain `chariots`.
 *
 * @example
 * ```ts
 * serveHints('http://127.0.0.1:5000', ['is_odd'], 'pnpm/10.34.9 npm/? node/v20.20.2')
 * // 'Serving 1 pipeline on http://127.0.0.1:5000: is_odd\nTry, in another terminal: …'
 * ```
 */
export function serveHints(url: string, pipelines: readonly string[], userAgent = ''): string {
  const cli = userAgent.startsWith('pnpm/')
    ? 'pnpm chariots'
    : userAgent.startsWith('npm/')
      ? 'npx chariots'
      : 'chariots'
  const count = `${pipelines.length} pipeline${pipelines.length === 1 ? '' : 's'}`
  const lines = [
    `Serving ${count} on ${url}: ${pipelines.join(', ') || '(none)'}`,
    'Try, in another terminal:',
  ]
  const tries: [string, string][] = []
  const first = pipelines[0]
  if (first !== undefined) {
    const urlFlag = url === 'http://127.0.0.1:5000' ? '' : ` --url ${url}`
    tries.push([`${cli} call ${first}${urlFlag}`, 'calls it (JSON input after the name)'])
  }
  tries.push([`curl -s ${url}/health_check`, 'which pipelines are loaded'])
  tries.push([`curl -s ${url}/openapi.json`, "every route, each pipeline's input schema"])
  const width = Math.max(...tries.map(([command]) => command.length))
  for (const [command, comment] of tries) lines.push(`  ${command.padEnd(width)}  # ${comment}`)
  return lines.join('\n')
}
