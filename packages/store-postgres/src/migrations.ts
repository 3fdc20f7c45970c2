import type { Sql } from 'postgres'

/**
 * The schema's migrations, in order: each runs once, in the transaction that records it in
 * `migrations`. Append new ones; never edit one that shipped.
 */
export const MIGRATIONS: readonly ((s: string) => string)[] = [
  (s) => `
    CREATE TABLE ${s}.meta (
      id int PRIMARY KEY CHECK (id = 1),
      last_seq bigint NOT NULL,
      purges bigint NOT NULL
    );
    INSERT INTO ${s}.meta VALUES (1, 0, 0);
    CREATE TABLE ${s}.nodes (
      id serial PRIMARY KEY,
      name text NOT NULL UNIQUE
    );
    CREATE TABLE ${s}.states (
      node_id int NOT NULL REFERENCES ${s}.nodes (id),
      seq bigint NOT NULL,
      version text NOT NULL,
      code_version text,
      blob text NOT NULL,
      size bigint,
      saved_at timestamptz NOT NULL,
      saved_by text,
      pipeline text,
      PRIMARY KEY (node_id, seq)
    );
    CREATE INDEX states_blob ON ${s}.states (blob);
    CREATE TABLE ${s}.links (
      node_id int NOT NULL,
      seq bigint NOT NULL,
      upstream text NOT NULL,
      version text NOT NULL,
      PRIMARY KEY (node_id, seq, upstream),
      FOREIGN KEY (node_id, seq) REFERENCES ${s}.states (node_id, seq) ON DELETE CASCADE
    );
    CREATE INDEX links_upstream ON ${s}.links (upstream, version);
    CREATE TABLE ${s}.files (
      path text PRIMARY KEY,
      size bigint NOT NULL,
      parts int NOT NULL,
      saved_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE ${s}.file_parts (
      path text NOT NULL REFERENCES ${s}.files (path) ON DELETE CASCADE,
      part int NOT NULL,
      bytes bytea NOT NULL,
      PRIMARY KEY (path, part)
    );
    CREATE TABLE ${s}.garbage (
      blob text PRIMARY KEY
    );
    CREATE TABLE ${s}.replicas (
      id text PRIMARY KEY,
      seen_at timestamptz NOT NULL
    );
  `,
  // Model bytes are mostly incompressible (or compressed already): storing them out of line
  // without trying pglz first saves the CPU of a compression attempt on every part.
  (s) => `ALTER TABLE ${s}.file_parts ALTER COLUMN bytes SET STORAGE EXTERNAL;`,
]

/**
 * Applies the migrations the schema lacks. Several processes may start at once: each takes the
 * same transaction-level advisory lock first, so one applies them and the others then find them
 * applied. DDL is transactional in PostgreSQL: a migration that fails leaves nothing behind.
 */
export async function migrate(sql: Sql, schema: string): Promise<void> {
  const s = `"${schema}"`
  // Up to date (the common case of every start but the first): no lock, no DDL.
  const applied = await sql
    .unsafe(`SELECT coalesce(max(version), 0)::int AS version FROM ${s}.migrations`)
    .then(
      (rows) => rows[0]?.version as number,
      () => 0, // no schema or no table yet
    )
  if (applied >= MIGRATIONS.length) return
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext(${`chariots-migrate:${schema}`}))`
    await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS ${s}`)
    await tx.unsafe(
      `CREATE TABLE IF NOT EXISTS ${s}.migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    )
    const [row] = await tx.unsafe(`SELECT coalesce(max(version), 0)::int AS version FROM ${s}.migrations`)
    for (let v = (row?.version as number) + 1; v <= MIGRATIONS.length; v++) {
      await tx.unsafe(MIGRATIONS[v - 1]!(s))
      await tx.unsafe(`INSERT INTO ${s}.migrations (version) VALUES ($1)`, [v])
    }
  })
}
