import { describe, expect, it } from 'vitest'
import * as api from './index.js'

describe('@chariots/server', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "Chariots",
        "STATUS_FOR_CODE",
        "buildOpenApi",
        "statusForCode",
      ]
    `)
  })
})
