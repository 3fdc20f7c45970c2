import { packageProject } from '../../vitest.shared.js'

export default packageProject('tfjs', {
  test: {
    // *.test-d.ts files are type tests: tsc checks them (the static fitParams of subclasses).
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.typecheck.json' },
  },
})
