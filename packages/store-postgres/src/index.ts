// The store on PostgreSQL

export type { PostgresStoreOptions } from './postgres-store.js'
export { PostgresStore } from './postgres-store.js'

// Bytes in PostgreSQL (the store's default saver; data nodes' files too)

export { PostgresSaver } from './postgres-saver.js'

// Replicas in step: loads announced with LISTEN/NOTIFY

export type { PostgresAnnouncerOptions } from './postgres-announcer.js'
export { PostgresAnnouncer } from './postgres-announcer.js'

// The connection pool they share, and its errors

export { MIGRATIONS } from './migrations.js'
export type { PostgresConnectionOptions } from './postgres-connection.js'
export { PostgresConnection, redact } from './postgres-connection.js'
export { postgresError } from './postgres-error.js'
