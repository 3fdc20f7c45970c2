import { describe, expect, it } from 'vitest'
import * as api from './index.js'

describe('@chariots/announcer-redis', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "RedisAnnouncer",
      ]
    `)
  })
})
