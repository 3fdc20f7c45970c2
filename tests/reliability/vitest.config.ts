import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'reliability',
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // The load and fault tests measure a whole server; running them side by side would skew both.
    fileParallelism: false,
  },
})
