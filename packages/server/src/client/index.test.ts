import { describe, expect, it } from 'vitest'
import * as api from './index.js'

describe('@chariots/server/client', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "BaseClient",
        "Client",
        "ServerErrorCode",
        "errorFromResponse",
        "parseVersions",
        "readServerSentEvents",
        "toPipelineResponse",
      ]
    `)
  })
})
