import { fileURLToPath } from 'node:url'
import { packageProject } from '../../vitest.shared.js'

export default packageProject('server', {
  // @chariots/testing depends on this package, so it cannot be a dependency back: the tests reach
  // its build through an alias instead (the root test script builds every package first).
  resolve: {
    alias: { '@chariots/testing': fileURLToPath(new URL('../testing/dist/index.js', import.meta.url)) },
  },
})
