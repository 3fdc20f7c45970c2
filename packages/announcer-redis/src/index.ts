// Replicas in step over Redis pub/sub

export type { RedisAnnouncerOptions } from './redis-announcer.js'
export { RedisAnnouncer } from './redis-announcer.js'
