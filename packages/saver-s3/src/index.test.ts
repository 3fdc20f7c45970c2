import { describe, expect, it } from 'vitest'
import * as api from './index.js'

describe('@chariots/saver-s3', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "S3Saver",
      ]
    `)
  })
})
