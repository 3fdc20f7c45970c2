import { resolve } from 'node:path'
import { ChariotsError } from '@chariots/core'
import { describe, expect, it } from 'vitest'
import { loadApp } from '../src/cli/load-app.js'
import type { ErrorBody } from '../src/index.js'

const fixture = resolve(import.meta.dirname, 'fixtures/own-code-app.ts')

describe('an app module loaded as chariots serve loads it', () => {
  it("shares the server's copy of @chariots/core: its ChariotsError is instanceof the server's", async () => {
    const { app } = await loadApp(fixture)
    const mod = (await import('@chariots/app-loader').then((l) => l.importAppModule(fixture))) as {
      ownError: unknown
    }
    expect(mod.ownError).toBeInstanceOf(ChariotsError)
    // So the server answers the user's own code, with 500 as for any code it has no row for.
    const res = await app.request('/pipelines/quota/main', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pipeline_input: null }),
    })
    expect(res.status).toBe(500)
    expect(((await res.json()) as ErrorBody).error).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      message: 'this key has no calls left today',
    })
    await app.close()
  })
})
