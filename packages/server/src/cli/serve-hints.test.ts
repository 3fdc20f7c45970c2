import { describe, expect, it } from 'vitest'
import { serveHints } from './serve-hints.js'

describe('serveHints', () => {
  it('names the pipelines and shows the CLI as the package manager that started the server runs it', () => {
    const text = serveHints(
      'http://127.0.0.1:5000',
      ['download_iris', 'is_odd'],
      'pnpm/10.34.9 npm/? node/v20',
    )
    expect(text.split('\n')).toEqual([
      'Serving 2 pipelines on http://127.0.0.1:5000: download_iris, is_odd',
      'Try, in another terminal:',
      '  pnpm chariots call download_iris            # calls it (JSON input after the name)',
      '  curl -s http://127.0.0.1:5000/health_check  # which pipelines are loaded',
      "  curl -s http://127.0.0.1:5000/openapi.json  # every route, each pipeline's input schema",
    ])
    expect(serveHints('http://127.0.0.1:5000', ['a'], 'npm/11.0.0 node/v20')).toContain(
      '  npx chariots call a ',
    )
  })

  it('adds --url when the server is not on the default address', () => {
    expect(serveHints('http://127.0.0.1:6001', ['is_odd'])).toContain(
      '  chariots call is_odd --url http://127.0.0.1:6001',
    )
    expect(serveHints('http://127.0.0.1:6001', [])).toMatch(
      /^Serving 0 pipelines on http:\/\/127.0.0.1:6001: \(none\)/,
    )
  })
})
