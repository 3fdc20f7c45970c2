import { describe, expect, it } from 'vitest'
import * as api from './index.js'

describe('@chariots/store-postgres', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "MIGRATIONS",
        "PostgresAnnouncer",
        "PostgresConnection",
        "PostgresSaver",
        "PostgresStore",
        "postgresError",
        "redact",
      ]
    `)
  })
})
