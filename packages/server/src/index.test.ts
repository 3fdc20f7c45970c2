import { describe, expect, it } from 'vitest'
import * as api from './index.js'

describe('@chariots/server', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "Chariots",
        "DEFAULT_HTTP_SERVER_LIMITS",
        "STATUS_FOR_CODE",
        "applyHttpServerLimits",
        "buildOpenApi",
        "statusForCode",
      ]
    `)
  })
})
