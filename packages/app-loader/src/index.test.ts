import { describe, expect, it } from 'vitest'
import * as api from './index.js'

describe('@chariots/app-loader', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "cacheFolderFor",
        "compileTypeScript",
        "findAppExport",
        "importAppModule",
      ]
    `)
  })
})
