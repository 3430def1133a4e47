// Opens a SQLite file (or :memory:) with the settings threadgate relies on, then migrates it.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { migrateSqlite } from './migrate-sqlite.ts';

export const MEMORY = ':memory:';

/**
 * - WAL (files only; :memory: has no journal file): readers never block the writer.
 * - synchronous FULL: the WAL is fsynced at every commit, so an acknowledged turn survives a crash
 *   or power loss, not only a killed process (NORMAL could lose the last commits on power loss).
 * - foreign_keys: off by default in SQLite, per connection.
 * - busy_timeout: a second connection waits for the write lock instead of failing with SQLITE_BUSY.
 */
export function openSqliteDatabase(path: string): Database.Database {
  const memory = path === MEMORY;
  if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true });
  const db = new Database(path);
  try {
    // First, so the journal-mode switch and the migrations wait for another opener instead of failing.
    db.pragma('busy_timeout = 5000');
    if (!memory) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`SQLite refused WAL mode for ${path} (got "${String(mode)}").`);
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrateSqlite(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
