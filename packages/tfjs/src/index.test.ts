import { describe, expect, it } from 'vitest'
import * as tfjs from './index.js'

describe('@chariots/tfjs exports', () => {
  it('lists exactly the public names', () => {
    expect(Object.keys(tfjs).sort()).toEqual(['TFJSOp', 'loadLayersModel', 'serializeLayersModel'])
  })
})
