import { AWS_SDK_QUIET, packageProject } from '../../vitest.shared.js'

export default packageProject('announcer-redis', { test: { env: AWS_SDK_QUIET } })
