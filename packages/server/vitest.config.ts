import { fileURLToPath } from 'node:url'
import { defineProject } from 'vitest/config'

export default defineProject({
  // @chariots/testing depends on this package, so it cannot be a dependency back: the tests reach
  // its build through an alias instead (the root test script builds every package first).
  resolve: {
    alias: { '@chariots/testing': fileURLToPath(new URL('../testing/dist/index.js', import.meta.url)) },
  },
  test: {
    name: 'server',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
