// Bytes in S3-compatible object storage

export type { S3SaverOptions } from './s3-saver.js'
export { S3Saver } from './s3-saver.js'
