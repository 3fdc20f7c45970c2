import { AWS_SDK_QUIET, packageProject } from '../../vitest.shared.js'

export default packageProject('saver-s3', { test: { env: AWS_SDK_QUIET } })
