// Brings a SQLite database to the schema this code knows, in one transaction, or refuses a newer one.
import type { Database } from 'better-sqlite3';
import { assertMigrationList, latestVersion, type Migration, type MigrationOutcome } from '../migrations/migration.ts';
import { SQLITE_MIGRATIONS } from '../migrations/sqlite.ts';
import { StoreError } from '../store-error.ts';

/**
 * Applies the pending migrations. IMMEDIATE takes the write lock before reading the recorded version,
 * so two processes opening a fresh file at once cannot both apply migration 1 (the second waits,
 * then finds nothing to do).
 */
export function migrateSqlite(db: Database, migrations: readonly Migration[] = SQLITE_MIGRATIONS): MigrationOutcome {
  assertMigrationList(migrations);
  const known = latestVersion(migrations);
  const apply = (): MigrationOutcome => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )`);
    const current = (db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
    if (current > known) {
      throw new StoreError(
        'schema_too_new',
        `The database ${db.name} has schema version ${current}, newer than this threadgate knows (${known}). Upgrade threadgate, or open another database file.`,
      );
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)');
    const applied: number[] = [];
    for (const m of migrations.filter((m) => m.version > current)) {
      db.exec(m.sql);
      record.run(m.version, m.name);
      applied.push(m.version);
    }
    return { applied, version: Math.max(current, known) };
  };
  return db.transaction(apply).immediate();
}
