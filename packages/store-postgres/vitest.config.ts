import { AWS_SDK_QUIET, packageProject } from '../../vitest.shared.js'

export default packageProject('store-postgres', { test: { env: AWS_SDK_QUIET } })
