import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'tfjs',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // *.test-d.ts files are type tests: tsc checks them (the static fitParams of subclasses).
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.typecheck.json' },
  },
})
