// Brings a PostgreSQL schema to the version this code knows, once across instances, or refuses a newer one.
import type pg from 'pg';
import { assertMigrationList, latestVersion, type Migration, type MigrationOutcome } from '../migrations/migration.ts';
import { POSTGRES_MIGRATIONS } from '../migrations/postgres.ts';
import { StoreError } from '../store-error.ts';
import { checkSchemaName, quoteIdent, transaction } from './connection.ts';

/** First key of threadgate's advisory locks (the second is per schema and purpose), so they never meet another app's. */
export const ADVISORY_NAMESPACE = 0x7467; // "tg"

/**
 * In one transaction: take a transaction-level advisory lock for this schema, create the schema and
 * `schema_migrations` when missing, read the recorded version, refuse a newer one, apply the rest.
 * Several instances starting at once queue on the lock; the first migrates, the others find nothing to do.
 * PostgreSQL's DDL is transactional, so a failing migration leaves nothing of itself behind.
 */
export async function migratePostgres(pool: pg.Pool, schema?: string, migrations: readonly Migration[] = POSTGRES_MIGRATIONS): Promise<MigrationOutcome> {
  assertMigrationList(migrations);
  const known = latestVersion(migrations);
  return transaction(pool, async (c) => {
    const target = schema ? checkSchemaName(schema) : null;
    await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ADVISORY_NAMESPACE, `migrate:${target ?? '(search_path)'}`]);
    if (target) await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(target)}`);
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const current = (await c.query<{ v: number }>('SELECT coalesce(max(version), 0)::int AS v FROM schema_migrations')).rows[0]!.v;
    if (current > known) {
      const where = (await c.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s;
      throw new StoreError(
        'schema_too_new',
        `The database schema "${where}" has schema version ${current}, newer than this threadgate knows (${known}). Upgrade threadgate, or point it at another database or schema.`,
      );
    }
    const applied: number[] = [];
    for (const m of migrations.filter((m) => m.version > current)) {
      await c.query(m.sql);
      await c.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return { applied, version: Math.max(current, known) };
  });
}
