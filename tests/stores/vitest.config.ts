import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'stores',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The AWS SDK warns once per process that it will need Node 22 from 2027 on.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
})
