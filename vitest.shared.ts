import { defineProject, mergeConfig } from 'vitest/config'

type ProjectConfig = Parameters<typeof defineProject>[0] & object

/**
 * The vitest project of a package in packages/: its name, the tests beside its code and in test/,
 * and the timeouts of tests that start real servers (Redis, PostgreSQL, child processes). A
 * package's own settings merge in (`env`, `resolve.alias`, `typecheck`).
 *
 * @example
 * ```ts
 * export default packageProject('saver-s3', { test: { env: { AWS_REGION: 'us-east-1' } } })
 * ```
 */
export function packageProject(name: string, own: ProjectConfig = {}): ProjectConfig {
  return mergeConfig(
    defineProject({
      test: {
        name,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        testTimeout: 30_000,
        hookTimeout: 30_000,
      },
    }),
    own,
  )
}

/** The environment of the packages whose tests load the AWS SDK: no warning about Node.js 20. */
export const AWS_SDK_QUIET = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }
